// SQLite in WAL mode appends every commit to the log and, at a checkpoint, copies the log back into
// the database file and syncs it. Run by the connection that commits (wal_autocheckpoint), that copy
// stops the thread serving requests: measured in-process, a checkpoint of 16,384 pages took about
// 300 ms every sixteenth batch of 1,000 new devices, ~20 ms per batch, more than the median commit.
// A passive checkpoint by a second connection copies without blocking the writer or readers
// (https://sqlite.org/wal.html), so one runs here, on its own thread, every second.
//
// The log is rewound only by a writer that finds all of it copied, and under steady ingest the
// writer always has appended more since this thread's last copy began. So the writer keeps its
// autocheckpoint: when it fires, nearly all of the log is copied already, the writer copies the
// last batch or two and rewinds. (Without that the log grew past 200 MB in a minute of ingest.)
//
// The thread starts only once the log has grown past `startBytes`: a store that writes little never
// pays for one.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface WalCheckpoints {
  stop(): Promise<void>;
}

export interface WalCheckpointOptions {
  /** How often the log's size is looked at before the thread starts, and the thread checkpoints once it has. */
  everyMs: number;
  /** Log size at which the checkpoint thread starts. */
  startBytes: number;
}

// The thread's whole program: its own connection, a passive checkpoint on every tick. A checkpoint
// with nothing new to copy returns at once; one that meets another checkpoint or a writer answers
// busy in its result row rather than failing. What does throw (I/O, a damaged file) would throw
// again every tick, so the thread reports it once and ends: the writer's own autocheckpoint still
// copies and rewinds the log.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
const end = () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
};
const tick = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
    end();
  }
};
const timer = setInterval(tick, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m === 'stop') end();
});
`;

export function startWalCheckpoints(file: string, opts: WalCheckpointOptions, onError: (e: Error) => void = () => {}): WalCheckpoints {
  let worker: Worker | null = null;
  let exited: Promise<void> = Promise.resolve();
  const start = () => {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    // execArgv: the program is plain CommonJS and needs none of this process's flags (--import tsx
    // would load tsx into the thread; --input-type=module would refuse its require).
    const w = new Worker(THREAD, { eval: true, execArgv: [], workerData: { file, driver, everyMs: opts.everyMs } });
    w.on('message', (m: { error?: string }) => m.error && onError(new Error(`WAL checkpoint: ${m.error}`)));
    w.on('error', onError);
    exited = new Promise((resolve) => w.once('exit', () => resolve()));
    // After the listeners: adding a 'message' listener refs the worker again, and a store left open
    // would then keep the process alive.
    w.unref();
    worker = w;
  };
  // Neither a failing stat (anything but a missing log) nor a thread that cannot start may throw out
  // of the timer into the server: either is reported once and the writer checkpoints alone.
  const watch = setInterval(() => {
    try {
      const size = statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
      if (size < opts.startBytes) return;
      clearInterval(watch);
      start();
    } catch (e) {
      clearInterval(watch);
      onError(e as Error);
    }
  }, opts.everyMs);
  watch.unref();
  return {
    stop: async () => {
      clearInterval(watch);
      if (!worker) return;
      // Held open until the thread has closed its connection, so the writer closes last.
      worker.ref();
      worker.postMessage('stop');
      await exited;
      worker = null;
    },
  };
}
