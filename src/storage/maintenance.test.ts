// Maintenance on PostgreSQL analyses the tables a bulk load changed, and leaves alone those it did
// not (a database-wide ANALYZE every minute cost seconds of server CPU on a loaded store); a full
// run vacuums those past autovacuum's thresholds.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openStore, type Store } from './db.ts';
import { BURST_ROWS, QUICK_RUNS, startMaintenance } from './maintenance.ts';
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

  /** Creates `table` (no autovacuum) with `rows` rows and waits until its change count is published. */
  async function loaded(db: Store['db'], table: string, rows: number): Promise<void> {
    await sql`CREATE TABLE ${sql.table(table)} (x int) WITH (autovacuum_enabled = false)`.execute(db);
    await sql`INSERT INTO ${sql.table(table)} SELECT g FROM generate_series(1, ${rows}) g`.execute(db);
    // Backends publish their table counters when idle, at most once a second.
    const counted = async () =>
      Number((await sql<{ n: number }>`SELECT n_mod_since_analyze AS n FROM pg_stat_user_tables WHERE schemaname = ${schema} AND relname = ${table}`.execute(db)).rows[0]?.n ?? 0);
    for (let i = 0; i < 100 && (await counted()) < rows; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await counted(), rows);
  }

  test('analyses the tables changed past autovacuum threshold, not the others', { skip }, async () => {
    store ??= await openStore(options);
    const db = store.db;
    // Autovacuum left out: had it analysed `loaded` first, there would be nothing left to analyse.
    await sql`CREATE TABLE untouched (x int) WITH (autovacuum_enabled = false)`.execute(db);
    await sql`INSERT INTO untouched VALUES (1)`.execute(db);
    await loaded(db, 'loaded', 5000);

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

  test('a quick run takes statistics from a tenth of the sample; the next full run replaces them, though nothing changed since', { skip }, async () => {
    const s = (store ??= await openStore(options));
    const db = s.db;
    await loaded(db, 'sampled', 20000);
    // A histogram of default_statistics_target buckets: 11 bounds from the small sample, 101 from the whole.
    const bounds = async () =>
      (await sql<{ n: number | null }>`SELECT array_length(histogram_bounds::text::int[], 1) AS n FROM pg_stats WHERE schemaname = ${schema} AND tablename = 'sampled' AND attname = 'x'`.execute(db)).rows[0]?.n ?? null;
    await s.optimize('quick');
    assert.equal(await bounds(), 11);
    await s.optimize('full');
    assert.equal(await bounds(), 101);
  });

  test('a full run forgets a table sampled quickly and dropped since, and analyses the others', { skip }, async () => {
    const s = (store ??= await openStore(options));
    const db = s.db;
    await loaded(db, 'sampled_then_dropped', 5000);
    await s.optimize('quick');
    await sql`DROP TABLE sampled_then_dropped`.execute(db);
    await loaded(db, 'loaded_after', 5000);
    await s.optimize('full');
    const analysed = async () => (await sql<{ at: string | null }>`SELECT last_analyze::text AS at FROM pg_stat_user_tables WHERE schemaname = ${schema} AND relname = 'loaded_after'`.execute(db)).rows[0]?.at ?? null;
    let at = await analysed();
    for (let i = 0; i < 100 && at === null; i++) at = (await new Promise((r) => setTimeout(r, 100)), await analysed());
    assert.notEqual(at, null, 'the table loaded after was analysed');
  });

  test('a full run vacuums the tables loaded past autovacuum\'s insert threshold, so that their pages are all-visible, and no other; a quick run does not', { skip }, async () => {
    const s = (store ??= await openStore(options));
    const db = s.db;
    await loaded(db, 'vacuumed', 20000);
    // 500 rows: analysed (past 50 + 10%), not vacuumed (under 1,000 + 20%).
    await loaded(db, 'analysed_only', 500);
    const pages = async (table: string) =>
      (await sql<{ pages: number; visible: number }>`SELECT relpages AS pages, relallvisible AS visible FROM pg_class WHERE oid = ${`${schema}.${table}`}::regclass`.execute(db)).rows[0];
    await s.optimize('quick');
    assert.equal((await pages('vacuumed')).visible, 0, 'a quick run only analyses');
    await s.optimize('full', AbortSignal.abort());
    assert.equal((await pages('vacuumed')).visible, 0, 'a run told to stop does nothing more');
    await s.optimize('full');
    const vacuumed = await pages('vacuumed');
    assert.ok(vacuumed.pages > 0);
    assert.equal(vacuumed.visible, vacuumed.pages, 'every page all-visible after the full run');
    const analysed = await pages('analysed_only');
    assert.ok(analysed.pages > 0, 'analysed: its page count is known');
    assert.equal(analysed.visible, 0, 'but not vacuumed');
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

describe('maintenance: quick runs while a load lasts, then one full run', () => {
  test('a burst runs quick, a minute with BURST_ROWS written runs quick, the first minute after runs full once', async () => {
    const target = dialectTargets().find((t) => t.name === 'sqlite')!;
    const s = await openStore(target.options());
    const modes: (string | undefined)[] = [];
    s.optimize = async (mode) => void modes.push(mode);
    // Only the run's mode matters here, and it is chosen the same on both stores; the burst check
    // is PostgreSQL's, so the store claims to be one (it is never asked to run SQL).
    (s as { dialect: string }).dialect = 'postgres';
    const interval = 500;
    /** Waits for the nth run (up to a second). */
    const runs = async (n: number) => {
      for (let i = 0; i < 100 && modes.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      return [...modes];
    };
    const aMinute = () => new Promise((r) => setTimeout(r, interval + 50));
    try {
      s.writes = 10 * BURST_ROWS;
      const m = startMaintenance(s, interval, () => {}, 10);
      s.writes += 10 * BURST_ROWS; // as many as before: a burst
      assert.deepEqual(await runs(1), ['quick'], 'the burst');
      s.writes += BURST_ROWS; // too few for a burst, enough for a load still running
      assert.deepEqual(await runs(2), ['quick', 'quick'], 'a minute with a load running');
      assert.deepEqual(await runs(3), ['quick', 'quick', 'full'], 'the first quiet minute');
      await aMinute();
      assert.deepEqual(modes, ['quick', 'quick', 'full'], 'nothing more while nothing is written');
      s.writes += 10;
      assert.deepEqual(await runs(4), ['quick', 'quick', 'full', 'full'], 'a few writes: a full run');
      await m.stop();
    } finally {
      (s as { dialect: string }).dialect = 'sqlite';
      await s.close();
      await target.cleanup();
    }
  });
});

describe('maintenance: a load that never lets up', () => {
  test(`every ${QUICK_RUNS}th interval run is full`, async () => {
    const target = dialectTargets().find((t) => t.name === 'sqlite')!;
    const s = await openStore(target.options());
    const modes: (string | undefined)[] = [];
    s.optimize = async (mode) => void modes.push(mode);
    const interval = 100;
    // BURST_ROWS written before each interval's run (the store is SQLite: no burst runs between).
    const load = setInterval(() => (s.writes += BURST_ROWS / 4), interval / 5);
    try {
      const m = startMaintenance(s, interval, () => {}, 10);
      for (let i = 0; i < 500 && modes.length < QUICK_RUNS + 2; i++) await new Promise((r) => setTimeout(r, 10));
      await m.stop();
      assert.deepEqual(modes.slice(0, QUICK_RUNS + 2), [...Array(QUICK_RUNS - 1).fill('quick'), 'full', 'quick', 'quick']);
    } finally {
      clearInterval(load);
      await s.close();
      await target.cleanup();
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
