// `--resume FILE`: which positions of the scan's permutation are finished, so a killed scan
// resumes covering every pair exactly once. The file is a header line, then records appended as
// pairs finish:
//   {"otscopeScan":1,"fingerprint":…,"key":…,"size":…}
//   w <low>           every position below <low> is done
//   d <p> <p> …       these positions are done
// Positions are committed only after their observations are written (or posted), so a kill
// loses no observation; one killed between the two writes is sent again on resume.
// It is rewritten compactly (temporary file + rename) when it grows, so a /8 stays small: the
// positions above the low-water mark are few, because pairs start in position order.
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { scanError } from './errors.ts';

interface Header {
  otscopeScan: 1;
  fingerprint: string;
  key: number;
  size: number;
}

const COMPACT_AFTER = 4096;

/** Every position below `low`, and those listed in `above`. */
export interface DonePositions {
  low: number;
  above: number[];
}

export class Checkpoint {
  /** Every position below this is done. */
  low = 0;
  /** Done positions at or above `low`. */
  private readonly above = new Set<number>();
  private pending: number[] = [];
  private appended = 0;
  private fd: number | null = null;
  /** False for a worker thread's copy: the calling thread records what is done. */
  private recording = true;

  private constructor(private readonly path: string | null, private readonly header: Header | null) {}

  /** A checkpoint kept in memory only (no --resume). */
  static memory(): Checkpoint {
    return new Checkpoint(null, null);
  }

  /**
   * A worker thread's view: the positions done before its scan started, to skip; what it
   * finishes is committed by the calling thread, not here (a thread finishes only its own share,
   * so its low-water mark would never pass the other shares' positions, and every position it
   * finished would stay in `above`).
   */
  static skipping(from: DonePositions): Checkpoint {
    const cp = Checkpoint.memory();
    cp.low = from.low;
    for (const p of from.above) if (p >= cp.low) cp.above.add(p);
    cp.advance();
    cp.recording = false;
    return cp;
  }

  /** The positions done so far, compactly: what a worker thread of the scan needs to skip them. */
  done(): DonePositions {
    return { low: this.low, above: [...this.above] };
  }

  /** The key stored in a resume file, when the file exists. */
  static storedKey(path: string): number | null {
    if (!existsSync(path)) return null;
    const header = readHeader(path);
    return header.key;
  }

  /** Opens or creates the resume file of the scan with this fingerprint. */
  static open(path: string, fingerprint: string, key: number, size: number): Checkpoint {
    const header: Header = { otscopeScan: 1, fingerprint, key, size };
    const cp = new Checkpoint(path, header);
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      const lines = text.split('\n');
      const stored = readHeader(path, lines[0]);
      if (stored.fingerprint !== fingerprint || stored.size !== size) throw scanError('RESUME_MISMATCH', path);
      // The last element is '' after a final newline, or a line cut by a kill mid-write: skipped.
      for (let i = 1; i < lines.length - 1; i++) {
        const line = lines[i];
        if (line.startsWith('w ')) cp.low = Math.max(cp.low, Number(line.slice(2)) || 0);
        else if (line.startsWith('d ')) for (const p of line.slice(2).split(' ')) if (p) cp.above.add(Number(p));
      }
      for (const p of cp.above) if (p < cp.low) cp.above.delete(p);
      cp.advance();
    }
    cp.rewrite();
    return cp;
  }

  isDone(p: number): boolean {
    return p < this.low || this.above.has(p);
  }

  get doneCount(): number {
    return this.low + this.above.size;
  }

  /** A position finished in this run; it is durable only once `commit` writes it. */
  complete(p: number): void {
    this.pending.push(p);
  }

  /** The finished positions not yet handed out for committing. */
  takePending(): number[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /**
   * Hands the finished positions to `write` (which writes out their observations; it is called
   * after they are taken, so every observation of them is already out) and commits them once it
   * returns, or once its promise resolves. A rejected write commits nothing: the positions stay
   * open and a resumed scan redoes them.
   */
  flush(write: ((positions: readonly number[]) => void | Promise<void>) | undefined): Promise<void> {
    const positions = this.takePending();
    const written = write?.(positions);
    if (!written) {
      this.commit(positions);
      return Promise.resolve();
    }
    return written.then(
      () => this.commit(positions),
      () => undefined,
    );
  }

  /** Records positions as done, in memory and in the file; call once their output is out. */
  commit(positions: readonly number[]): void {
    if (!positions.length || !this.recording) return;
    for (const p of positions) if (!this.isDone(p)) this.above.add(p);
    this.advance();
    if (!this.path) return;
    if (this.appended + positions.length > COMPACT_AFTER) {
      this.rewrite();
      return;
    }
    this.appended += positions.length;
    writeSync(this.fd!, `d ${positions.join(' ')}\n`);
  }

  private advance(): void {
    while (this.above.has(this.low)) this.above.delete(this.low++);
  }

  private rewrite(): void {
    if (!this.path) return;
    if (this.fd !== null) closeSync(this.fd);
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    writeSync(fd, `${JSON.stringify(this.header)}\nw ${this.low}\n${this.above.size ? `d ${[...this.above].join(' ')}\n` : ''}`);
    closeSync(fd);
    renameSync(tmp, this.path);
    this.fd = openSync(this.path, 'a');
    this.appended = this.above.size;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function readHeader(path: string, first?: string): Header {
  try {
    const h = JSON.parse(first ?? readFileSync(path, 'utf8').split('\n')[0]) as Header;
    if (h?.otscopeScan === 1 && typeof h.fingerprint === 'string' && Number.isInteger(h.key) && Number.isInteger(h.size)) return h;
  } catch {
    // fall through: not a resume file
  }
  throw scanError('RESUME_MISMATCH', `${path} is not an otscope scan resume file`);
}
