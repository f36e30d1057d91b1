// The checkpoint thread copies the write-ahead log into the database file while the writer does not:
// with the writer's own autocheckpoint off, the database file grows only if the thread ran. A thread
// that ran does not keep its process alive, and its errors are reported, never thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { startWalCheckpoints } from './wal-checkpoints.ts';

function walStore(): { file: string; db: BetterSqlite3.Database; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'otscope-wal-'));
  const file = join(dir, 'store.sqlite');
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (n INTEGER, text TEXT)');
  const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < 4000; i++) insert.run(i, 'x'.repeat(500));
  })();
  return { file, db, done: () => rmSync(dir, { recursive: true, force: true }) };
}

const size = (f: string) => statSync(f).size;

test('a log past startBytes is copied into the database file by the thread', async () => {
  const s = walStore();
  try {
    assert.ok(size(s.file) < 64 * 1024, 'nothing checkpointed yet');
    assert.ok(size(`${s.file}-wal`) > 1024 * 1024);
    const checkpoints = startWalCheckpoints(s.file, { everyMs: 20, startBytes: 256 * 1024 });
    for (let i = 0; i < 250 && size(s.file) < 1024 * 1024; i++) await sleep(20);
    await checkpoints.stop();
    assert.ok(size(s.file) >= 1024 * 1024, `database file ${size(s.file)} bytes after the thread ran`);
    assert.equal((s.db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 4000);
  } finally {
    s.db.close();
    s.done();
  }
});

test('a log under startBytes starts no thread', async () => {
  const s = walStore();
  try {
    const checkpoints = startWalCheckpoints(s.file, { everyMs: 20, startBytes: 1024 * 1024 * 1024 });
    await sleep(300);
    await checkpoints.stop();
    assert.ok(size(s.file) < 64 * 1024, 'nothing checkpointed');
  } finally {
    s.db.close();
    s.done();
  }
});

test('a store left open does not keep the process alive once the thread runs', async () => {
  const s = walStore();
  try {
    // The child starts the thread, waits until it has copied the log, and returns without stop().
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', `
        import { statSync } from 'node:fs';
        import { startWalCheckpoints } from ${JSON.stringify(new URL('./wal-checkpoints.ts', import.meta.url).href)};
        startWalCheckpoints(${JSON.stringify(s.file)}, { everyMs: 20, startBytes: 256 * 1024 });
        const t = setInterval(() => { if (statSync(${JSON.stringify(s.file)}).size >= 1024 * 1024) { clearInterval(t); console.log('copied'); } }, 20);
      `],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    clearTimeout(killer);
    assert.equal(out.trim(), 'copied');
    assert.deepEqual([code, signal], [0, null], 'the child ended by itself');
  } finally {
    s.db.close();
    s.done();
  }
});

test('an error in the thread is reported once and ends the thread, and the caller carries on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otscope-wal-'));
  try {
    const file = join(dir, 'store.sqlite');
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    writeFileSync(`${file}-wal`, Buffer.alloc(512 * 1024, 0x5a));
    const errors: Error[] = [];
    const checkpoints = startWalCheckpoints(file, { everyMs: 20, startBytes: 256 * 1024 }, (e) => errors.push(e));
    for (let i = 0; i < 250 && errors.length === 0; i++) await sleep(20);
    await sleep(200); // ten more ticks, had the thread gone on
    await checkpoints.stop();
    assert.equal(errors.length, 1, errors.map((e) => e.message).join('; '));
    assert.match(errors[0].message, /^WAL checkpoint: .*not a database/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a log that cannot be looked at is reported, not thrown into the process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otscope-wal-'));
  try {
    writeFileSync(join(dir, 'plain'), '');
    const errors: Error[] = [];
    const checkpoints = startWalCheckpoints(join(dir, 'plain', 'store.sqlite'), { everyMs: 20, startBytes: 1 }, (e) => errors.push(e));
    await sleep(200);
    await checkpoints.stop();
    assert.deepEqual(errors.map((e) => (e as NodeJS.ErrnoException).code), ['ENOTDIR']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
