// Keeps the planner's statistics in step with bulk writes: every interval, if rows were written
// since the last run, the store optimizes itself (ANALYZE / PRAGMA optimize).
import type { Store } from './db.ts';

export function startMaintenance(store: Store, intervalMs = 60_000, onError: (e: unknown) => void = () => {}): { stop(): Promise<void> } {
  let seen = store.writes;
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running || store.writes === seen) return;
    seen = store.writes;
    running = store.optimize().catch(onError).finally(() => (running = null));
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
