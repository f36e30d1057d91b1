// The checkpoint thread copies the write-ahead log into the database file while the writer does not:
// with the writer's own autocheckpoint off, the database file grows only if the thread ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
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
