// Maintenance on PostgreSQL analyses the tables a bulk load changed, and leaves alone those it did
// not (a database-wide ANALYZE every minute cost seconds of server CPU on a loaded store).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openStore, type Store } from './db.ts';
import { BURST_ROWS, startMaintenance } from './maintenance.ts';
import { dialectTargets, skipUnless } from '../../test/support/stores.ts';

describe('store.optimize on postgres', async () => {
  const target = dialectTargets().find((t) => t.name === 'postgres')!;
  const skip = await skipUnless(target);
  const options = target.options();
  const schema = options.pgSchema!;
  let store: Store | undefined;
  after(async () => {
    await store?.close();
    if (!skip) await target.cleanup();
  });

  test('analyses the tables changed past autovacuum threshold, not the others', { skip }, async () => {
    store ??= await openStore(options);
    const db = store.db;
    // Autovacuum left out: had it analysed `loaded` first, there would be nothing left to analyse.
    await sql`CREATE TABLE loaded (x int) WITH (autovacuum_enabled = false)`.execute(db);
    await sql`CREATE TABLE untouched (x int) WITH (autovacuum_enabled = false)`.execute(db);
    await sql`INSERT INTO loaded SELECT g FROM generate_series(1, 5000) g`.execute(db);
    await sql`INSERT INTO untouched VALUES (1)`.execute(db);
    // Backends publish their table counters when idle, at most once a second.
    const counted = async () =>
      (await sql<{ n: number }>`SELECT n_mod_since_analyze AS n FROM pg_stat_user_tables WHERE schemaname = ${schema} AND relname = 'loaded'`.execute(db)).rows[0]?.n ?? 0;
    for (let i = 0; i < 100 && (await counted()) < 5000; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await counted(), 5000);

    await store.optimize();
    // ANALYZE's own count is published like the others: wait for it, then read both tables together
    // (a count of `untouched` read before the wait would be 0 even had it been analysed).
    const analysed = async () =>
      Object.fromEntries(
        (await sql<{ relname: string; n: number }>`
          SELECT relname, analyze_count AS n FROM pg_stat_user_tables WHERE schemaname = ${schema} AND relname IN ('loaded', 'untouched')`.execute(db)).rows.map((r) => [r.relname, Number(r.n)]),
      );
    let count = await analysed();
    for (let i = 0; i < 100 && count.loaded !== 1; i++) count = (await new Promise((r) => setTimeout(r, 100)), await analysed());
    assert.deepEqual(count, { loaded: 1, untouched: 0 });
  });

  test('a burst of writes runs it before the minute is up: once BURST_ROWS and as many as before are written', { skip }, async () => {
    const s = (store ??= await openStore(options));
    let runs = 0;
    const optimize = s.optimize;
    s.optimize = async () => void runs++;
    try {
      s.writes = 10 * BURST_ROWS;
      const m = startMaintenance(s, 60_000, () => {}, 10);
      const wait = () => new Promise((r) => setTimeout(r, 100));
      s.writes += BURST_ROWS; // fewer than the 10 x BURST_ROWS written before: waits for the minute
      await wait();
      assert.equal(runs, 0);
      s.writes += 9 * BURST_ROWS; // now as many as before
      await wait();
      assert.equal(runs, 1);
      await wait();
      assert.equal(runs, 1, 'and not again until as many more are written');
      await m.stop();
    } finally {
      s.optimize = optimize;
    }
  });
});

describe('maintenance on sqlite', () => {
  test('keeps to its interval through a burst of writes (the early run is for PostgreSQL)', async () => {
    const target = dialectTargets().find((t) => t.name === 'sqlite')!;
    const s = await openStore(target.options());
    let runs = 0;
    s.optimize = async () => void runs++;
    try {
      const m = startMaintenance(s, 60_000, () => {}, 10);
      s.writes += 10 * BURST_ROWS;
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(runs, 0);
      await m.stop();
    } finally {
      await s.close();
      await target.cleanup();
    }
  });
});
