// Keeps the planner's statistics in step with bulk writes: every interval, if rows were written
// since the last run, the store optimizes itself (ANALYZE / PRAGMA optimize). On PostgreSQL a
// burst of writes also runs it early (see below).
import type { Store } from './db.ts';

/** Rows written since the last run that make PostgreSQL's run early: at least this many, and as many as had been written before it. */
export const BURST_ROWS = 50_000;

/** Runs in a row that may be quick: a load that never lets up still gets full statistics this often. */
export const QUICK_RUNS = 10;

export function startMaintenance(store: Store, intervalMs = 60_000, onError: (e: unknown) => void = () => {}, burstCheckMs = 2_000): { stop(): Promise<void> } {
  let seen = store.writes;
  let running: Promise<void> | null = null;
  // Quick runs since the last full one: while any, statistics from the small sample await a full run.
  let quickRuns = 0;
  // A run stops between tables once maintenance stops: at 1,000,000 assets a full run's VACUUMs
  // take seconds a table, which a shutdown should not wait through.
  const stopping = new AbortController();
  const run = (mode: 'quick' | 'full') => {
    seen = store.writes;
    quickRuns = mode === 'quick' ? quickRuns + 1 : 0;
    running = store.optimize(mode, stopping.signal).catch(onError).finally(() => (running = null));
  };
  // While a load runs (BURST_ROWS or more written since the last run) a run is quick (db.ts),
  // but after QUICK_RUNS - 1 in a row a full one; the first minute after a load, quiet or not,
  // analyses in full.
  const timer = setInterval(() => {
    if (running || (store.writes === seen && quickRuns === 0)) return;
    run(store.writes - seen >= BURST_ROWS && quickRuns < QUICK_RUNS - 1 ? 'quick' : 'full');
  }, intervalMs);
  timer.unref();
  // A bulk load into a store without statistics leaves PostgreSQL planning its reads blind until
  // the minute is up: with none, a batch's read of 1,000 assets' services became a hash join over
  // every stored service (37-138 ms a batch at 200,000 services, against 6 ms with them) for the
  // whole of bench:ingest's first rescan, which began before the first minute did. So a run also
  // starts once the rows written since the last run reach BURST_ROWS and as many as before it:
  // a load of 200,000 devices (~1.8 million rows) analyses about six times, growing geometrically,
  // and steady ingest still once a minute. Each run analyses only the tables grown past
  // autovacuum's threshold (db.ts). SQLite, whose planner reads an index for an equality without
  // statistics, keeps to the minute.
  const burst =
    store.dialect === 'postgres'
      ? setInterval(() => {
          if (!running && store.writes - seen >= Math.max(BURST_ROWS, seen)) run('quick');
        }, burstCheckMs)
      : null;
  burst?.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      if (burst) clearInterval(burst);
      stopping.abort();
      await running;
    },
  };
}
