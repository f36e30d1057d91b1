// Writes many rows with one statement shape. On SQLite one prepared statement (from the store's
// cache) runs once per row (no SQL text to parse per batch, no giant parameter lists); on PostgreSQL, where each
// statement is a network round trip, rows go in multi-row statements sized to the parameter limit.
import type { Compilable, Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { chunkSize, type Store } from './db.ts';

interface Executable<O> extends Compilable<O> {
  execute(): Promise<O[]>;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * `build(rows)` must produce an INSERT of `rows` whose only bound parameters are the rows' values
 * in key order (ON CONFLICT clauses may use excluded.* and raw SQL but bind nothing). When that
 * holds on SQLite, rows go through one prepared statement; otherwise, and on PostgreSQL, through
 * multi-row statements. Returns what the statement's RETURNING clause yields, if any.
 */
export async function bulkWrite<R extends object, O>(
  store: Store,
  trx: Transaction<Database>,
  rows: R[],
  build: (rows: R[]) => Executable<O>,
): Promise<O[]> {
  if (!rows.length) return [];
  store.writes += rows.length;
  if (store.sqlite) {
    const compiled = build([rows[0]]).compile();
    const first = Object.values(rows[0]);
    const sameShape = compiled.parameters.length === first.length && compiled.parameters.every((p, i) => p === first[i]);
    if (sameShape) {
      const stmt = store.sqlite.prepare(compiled.sql);
      if (!stmt.reader) {
        for (const row of rows) stmt.run(Object.values(row));
        return [];
      }
      const out: O[] = [];
      for (const row of rows) {
        for (const r of stmt.all(Object.values(row)) as Record<string, unknown>[]) {
          const o: Record<string, unknown> = {};
          for (const k in r) o[camel(k)] = r[k];
          out.push(o as O);
        }
      }
      return out;
    }
  }
  const size = chunkSize(store, Object.keys(rows[0]).length);
  const out: O[] = [];
  for (let i = 0; i < rows.length; i += size) out.push(...(await build(rows.slice(i, i + size)).execute()));
  return out;
}
