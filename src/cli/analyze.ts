// `otscope analyze <file|dir>... [--format summary|ndjson]`: decode ICS traffic in captures.
// Directories are walked recursively in sorted order. Exit code 0 when every file was a readable
// capture, 1 when any was not (each reported on stderr with a stable code), 2 on bad usage.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PROTOCOLS } from '../protocols/index.ts';
import { analyzeCaptureNdjson, summarizeCapture } from '../traffic/index.ts';
import { ERRORS } from '../errors.ts';

/** Stable codes of this command's errors (printed as `CODE: path: message`). */

const USAGE = `Usage: otscope analyze <file|dir>... [--format summary|ndjson]

  --format summary  one JSON object per capture, in the shape of the tshark oracle (default)
  --format ndjson   one line per decoded message, then one per device identity seen`;

interface Input {
  path: string;
  /** Found by walking a directory (non-captures there are skipped, not errors). */
  walked: boolean;
}

async function expand(path: string, walked: boolean, out: Input[], errors: string[]): Promise<void> {
  let s;
  try {
    s = await stat(path);
  } catch (e) {
    errors.push(report('CAPTURE_UNREADABLE', path, (e as Error).message));
    return;
  }
  if (!s.isDirectory()) {
    out.push({ path, walked });
    return;
  }
  const names = (await readdir(path)).sort();
  for (const name of names) await expand(join(path, name), true, out, errors);
}

function report(code: 'CAPTURE_UNREADABLE' | 'CAPTURE_NOT_RECOGNIZED', path: string, detail?: string): string {
  return `otscope analyze: ${code}: ${path}: ${detail ?? ERRORS[code].message}`;
}

class Output {
  private chunks: string[] = [];
  private size = 0;
  line(s: string): void {
    this.chunks.push(s, '\n');
    this.size += s.length + 1;
    if (this.size >= 1 << 16) this.flush();
  }
  flush(): void {
    if (this.chunks.length) process.stdout.write(this.chunks.join(''));
    this.chunks = [];
    this.size = 0;
  }
  /** Resolves once stdout has room again, so a slow reader of the output pauses the capture reader. */
  async drained(): Promise<void> {
    this.flush();
    if (process.stdout.writableNeedDrain) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
  }
}

export async function run(args: string[]): Promise<number> {
  let format = 'summary';
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      return 0;
    }
    if (a === '--format' || a.startsWith('--format=')) {
      format = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i] ?? '';
      continue;
    }
    if (a.startsWith('-')) {
      console.error(`otscope analyze: unknown option '${a}'\n\n${USAGE}`);
      return 2;
    }
    paths.push(a);
  }
  if (format !== 'summary' && format !== 'ndjson') {
    console.error(`otscope analyze: --format must be summary or ndjson, not '${format}'`);
    return 2;
  }
  if (paths.length === 0) {
    console.error(USAGE);
    return 2;
  }
  // A closed pipe (`| head`) ends the output quietly instead of crashing.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  const errors: string[] = [];
  const inputs: Input[] = [];
  for (const p of paths) await expand(p, false, inputs, errors);
  for (const e of errors) console.error(e);
  let failed = errors.length > 0;
  const out = new Output();
  for (const input of inputs) {
    try {
      if (format === 'summary') {
        const summary = await summarizeCapture(input.path);
        if (summary.capture.format === null) {
          if (!input.walked) {
            console.error(report('CAPTURE_NOT_RECOGNIZED', input.path));
            failed = true;
          }
          continue;
        }
        if (summary.capture.issue) console.error(`otscope analyze: warning: ${input.path}: ${summary.capture.issue.message} (${summary.capture.issue.code} at byte ${summary.capture.issue.offset})`);
        out.line(JSON.stringify(summary));
      } else {
        const result = await analyzeCaptureNdjson(input.path, (l) => out.line(l), PROTOCOLS, { beforeChunk: () => out.drained() });
        if (result.format === null && !input.walked) {
          console.error(report('CAPTURE_NOT_RECOGNIZED', input.path));
          failed = true;
        } else if (result.issue && result.format !== null) {
          console.error(`otscope analyze: warning: ${input.path}: ${result.issue.message} (${result.issue.code} at byte ${result.issue.offset})`);
        }
      }
    } catch (e) {
      console.error(report('CAPTURE_UNREADABLE', input.path, (e as Error).message));
      failed = true;
    }
    out.flush();
  }
  out.flush();
  return failed ? 1 : 0;
}
