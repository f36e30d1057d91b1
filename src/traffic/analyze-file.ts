// One capture file through the analyzer, as a summary or as NDJSON lines.
import { decodeCapture, readCaptureFile, type CaptureResult, type ReadOptions } from '../capture/index.ts';
import { PROTOCOLS, type Protocol } from '../protocols/index.ts';
import { Analyzer } from './analyzer.ts';
import { NdjsonWriter } from './ndjson.ts';
import { primeAnalyzer } from './prime.ts';
import { SummaryBuilder, type CaptureSummary } from './summary.ts';

/**
 * Rejects only when the file cannot be read; broken content ends up in `capture.issue`. `prime`
 * runs the analyzer's warm-up capture first (once per process; see prime.ts), which changes no
 * result.
 */
export async function summarizeCapture(path: string, label = path, protocols: readonly Protocol[] = PROTOCOLS, prime = true): Promise<CaptureSummary> {
  if (prime) primeAnalyzer(protocols);
  const summary = new SummaryBuilder();
  const analyzer = new Analyzer(protocols, summary);
  const result = await readCaptureFile(path, (p) => analyzer.packet(p));
  analyzer.finish();
  return summary.build(label, result.packets, result);
}

/**
 * Writes one line per decoded message, then one per device identity, then a `capture-issue` line
 * when the file ended early (truncated, corrupt length); resolves with the read result.
 */
export async function analyzeCaptureNdjson(
  path: string,
  write: (line: string) => void,
  protocols: readonly Protocol[] = PROTOCOLS,
  options: ReadOptions = {},
): Promise<CaptureResult> {
  const writer = new NdjsonWriter(write);
  const analyzer = new Analyzer(protocols, writer);
  const result = await readCaptureFile(path, (p) => analyzer.packet(p), options);
  analyzer.finish();
  writer.finish();
  // A capture that ends early says so in the stream too, after what could be decoded.
  if (result.issue && result.format !== null) write(JSON.stringify({ type: 'capture-issue', ...result.issue, packets: result.packets }));
  return result;
}

/** The same summary for a capture already in memory (an upload, a test fixture). */
export function summarizeCaptureBytes(bytes: Uint8Array, label: string, protocols: readonly Protocol[] = PROTOCOLS, prime = true): CaptureSummary {
  if (prime) primeAnalyzer(protocols);
  const summary = new SummaryBuilder();
  const analyzer = new Analyzer(protocols, summary);
  const result = decodeCapture(bytes, (p) => analyzer.packet(p));
  analyzer.finish();
  return summary.build(label, result.packets, result);
}
