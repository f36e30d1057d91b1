// One capture file through the analyzer, as a summary or as NDJSON lines.
import { statSync } from 'node:fs';
import { decodeCapture, readCaptureFile, type CaptureResult, type ReadOptions } from '../capture/index.ts';
import { PROTOCOLS, type Protocol } from '../protocols/index.ts';
import { Analyzer } from './analyzer.ts';
import { NdjsonWriter } from './ndjson.ts';
import { primeAnalyzer } from './prime.ts';
import { SummaryBuilder, type CaptureSummary } from './summary.ts';

/**
 * The warm-up capture (prime.ts) costs ~60 ms of CPU in a cold process and saves the recompiles of
 * a long capture's first pass: on one process per file, CPU medians of 5 runs (6 December, load
 * 1.3-2.2) without/with it were 43/103 ms on 198 kB, 141/202 ms on 1.4 MB, 431-449/447-467 ms on
 * 12.8 MB and 557-569/538-558 ms on 25.5 MB; on the 102 MB bench file 12-39 ms less with it.
 */
const PRIME_MIN_BYTES = 32 << 20;

function primeFor(protocols: readonly Protocol[], bytes: number): void {
  if (bytes >= PRIME_MIN_BYTES) primeAnalyzer(protocols);
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // readCaptureFile reports what is wrong with the path
  }
}

/**
 * Rejects only when the file cannot be read; broken content ends up in `capture.issue`. `prime`
 * runs the analyzer's warm-up capture first when the capture is long enough for it to pay (once
 * per process; see prime.ts), which changes no result.
 */
export async function summarizeCapture(path: string, label = path, protocols: readonly Protocol[] = PROTOCOLS, prime = true): Promise<CaptureSummary> {
  if (prime) primeFor(protocols, sizeOf(path));
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
  if (prime) primeFor(protocols, bytes.length);
  const summary = new SummaryBuilder();
  const analyzer = new Analyzer(protocols, summary);
  const result = decodeCapture(bytes, (p) => analyzer.packet(p));
  analyzer.finish();
  return summary.build(label, result.packets, result);
}
