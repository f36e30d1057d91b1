// Writes many rows with one statement shape. On SQLite one prepared statement (from the store's
// cache) runs once per row (no SQL text to parse per batch, no giant parameter lists); on
// PostgreSQL, where each statement is a network round trip and a 20,000-parameter VALUES list
// costs more to parse and plan than the rows cost to write, a plain INSERT's rows go by COPY and
// other statements' rows in one statement that reads one array parameter per column through
// unnest(). An UPDATE of one row by its key
// (`update t set a = $1, b = $2 where k = $3`) goes the same ways: per row on SQLite, as one
// `update … from unnest(…)` on PostgreSQL.
import { CompiledQuery, sql, type Compilable, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { chunkSize, type Store } from './db.ts';

interface Executable<O> extends Compilable<O> {
  execute(): Promise<O[]>;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * `build(rows)` must produce an INSERT of `rows` whose only bound parameters are the rows' values
 * in key order (ON CONFLICT clauses may use excluded.* and raw SQL but bind nothing), or an UPDATE
 * of one row, `set` columns then one key column in a `where … =`, bound in the row's key order. When that
 * holds, rows go through one prepared statement (SQLite) or one unnest() statement (PostgreSQL);
 * otherwise through multi-row statements (an UPDATE: one statement per row). Returns what the statement's RETURNING clause yields, if any.
 */
export async function bulkWrite<R extends object, O>(
  store: Store,
  trx: Transaction<Database>,
  rows: R[],
  build: (rows: R[]) => Executable<O>,
): Promise<O[]> {
  if (!rows.length) return [];
  store.writes += rows.length;
  const compiled = build([rows[0]]).compile();
  const first = Object.values(rows[0]);
  const sameShape = bindsInOrder(compiled, first);
  if (sameShape && store.sqlite) {
    const stmt = store.sqlite.prepare(compiled.sql);
    if (!stmt.reader) {
      for (const row of rows) {
        const values = Object.values(row);
        // A row shaped otherwise (an undefined value: Kysely leaves the column out) is built alone.
        if (values.length === first.length && !values.includes(undefined)) stmt.run(values);
        else await build([row]).execute();
      }
      return [];
    }
    const out: O[] = [];
    for (const row of rows) {
      const values = Object.values(row);
      if (values.length !== first.length || values.includes(undefined)) {
        out.push(...(await build([row]).execute()));
        continue;
      }
      for (const r of stmt.all(values) as Record<string, unknown>[]) {
        const o: Record<string, unknown> = {};
        for (const k in r) o[camel(k)] = r[k];
        out.push(o as O);
      }
    }
    return out;
  }
  if (sameShape && store.dialect === 'postgres' && rows.length > 1) {
    if (await copyWrite(trx, compiled.sql, rows, first.length)) return [];
    const text = await unnestForm(store, trx, compiled.sql, first.length);
    const columns = text && toColumns(rows, first.length);
    if (text && columns) {
      const result = await trx.executeQuery<O>(CompiledQuery.raw(text, columns));
      return result.rows as O[];
    }
  }
  const out: O[] = [];
  if (compiled.sql.startsWith('update ')) {
    for (const row of rows) out.push(...(await build([row]).execute()));
    return out;
  }
  const size = chunkSize(store, first.length);
  for (let i = 0; i < rows.length; i += size) out.push(...(await build(rows.slice(i, i + size)).execute()));
  return out;
}

/** One bulkWrite's rows and statement, for bulkWriteAll (bulkSpec pairs them, typed by the rows). */
export interface BulkSpec {
  rows: object[];
  build: (rows: object[]) => Executable<unknown>;
}

export function bulkSpec<R extends object>(rows: R[], build: (rows: R[]) => Executable<unknown>): BulkSpec {
  return { rows, build: build as (rows: object[]) => Executable<unknown> };
}

/**
 * Several bulkWrites, for writes that neither read each other's rows nor touch the same row, with no
 * RETURNING. On PostgreSQL the plain INSERTs go first, each by COPY, in the order given; the rest
 * then as one statement, `with w0 as (…), w1 as (…) …`: one round trip and one plan instead of one
 * each (its parts see one snapshot). So a row may name, by foreign key, a row an earlier plain
 * INSERT writes, but not one an upsert writes. The rest must each take the unnest() form, else they
 * run one by one through bulkWrite, as every write does on SQLite.
 */
export async function bulkWriteAll(store: Store, trx: Transaction<Database>, writes: BulkSpec[]): Promise<void> {
  let todo = writes.filter((w) => w.rows.length > 0);
  if (store.dialect === 'postgres') {
    // Plain INSERTs go first, each by COPY (see bulkWrite), in the order given; the rest after them.
    // A plain INSERT that cannot go by COPY (a value COPY's text form does not carry) goes with the
    // rest, and so does every write after it: a later INSERT's rows may name its rows.
    const rest: BulkSpec[] = [];
    let inOrder = true;
    for (const w of todo) {
      const compiled = w.build([w.rows[0]]).compile();
      const first = Object.values(w.rows[0]);
      if (inOrder && bindsInOrder(compiled, first) && (await copyWrite(trx, compiled.sql, w.rows, first.length))) store.writes += w.rows.length;
      else {
        if (plainInsert(compiled.sql)) inOrder = false;
        rest.push(w);
      }
    }
    todo = rest;
  }
  if (store.dialect === 'postgres' && todo.length > 1) {
    const parts: string[] = [];
    const params: string[] = [];
    for (const w of todo) {
      const compiled = w.build([w.rows[0]]).compile();
      const first = Object.values(w.rows[0]);
      const sameShape = bindsInOrder(compiled, first) && !/ returning /.test(compiled.sql);
      const text = sameShape ? await unnestForm(store, trx, compiled.sql, first.length, params.length) : null;
      const columns = text && toColumns(w.rows, first.length);
      if (!text || !columns) break;
      parts.push(text);
      params.push(...columns);
    }
    if (parts.length === todo.length) {
      for (const w of todo) store.writes += w.rows.length;
      const last = parts.pop()!;
      await trx.executeQuery(CompiledQuery.raw(`with ${parts.map((p, i) => `w${i} as (${p})`).join(', ')} ${last}`, params));
      return;
    }
  }
  for (const w of todo) await bulkWrite(store, trx, w.rows, w.build);
}

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

/** A PostgreSQL text[] literal of `values` (`{"a","b"}`), quoted as toColumns quotes a column: one bound parameter for a key list. */
export function textArray(values: readonly string[]): string {
  const elements = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    elements[i] = NEEDS_ESCAPE.test(v) ? `"${v.replace(ESCAPED, '\\$&')}"` : `"${v}"`;
  }
  return `{${elements.join(',')}}`;
}

/**
 * The rows as one PostgreSQL array literal per column (`{"a","b",NULL}`), in one pass; null when a
 * value is not one a literal carries without loss (text, a number, a boolean, NULL). pg would build
 * the same text from one JavaScript array per column, appending element by element (two regular
 * expression replacements each, and a string grown by concatenation that is flattened when sent);
 * a batch of 1,000 new devices sends about 150,000 values. Here each element is quoted (escaped
 * only when it holds a quote or backslash) and a column's elements are joined once: for a batch's
 * ~3,900 findings 10-14 ms of CPU instead of 63-73 ms, same text (measured alone, load ~4.5).
 */
function toColumns(rows: object[], n: number): string[] | null {
  const elements: string[][] = [];
  for (let i = 0; i < n; i++) elements.push(new Array<string>(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const values = Object.values(rows[r]);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      let element: string;
      if (v === null) element = 'NULL';
      else if (typeof v === 'string') element = NEEDS_ESCAPE.test(v) ? `"${v.replace(ESCAPED, '\\$&')}"` : `"${v}"`;
      else if (typeof v === 'number' || typeof v === 'boolean') element = `"${v}"`;
      else return null;
      elements[i][r] = element;
    }
  }
  return elements.map((column) => `{${column.join(',')}}`);
}

/**
 * Writes the rows by COPY (db.ts runs it) when the one-row statement is a plain INSERT and every
 * value has a text form COPY reads back as sent; false, having written nothing, otherwise.
 */
async function copyWrite(trx: Transaction<Database>, text: string, rows: object[], n: number): Promise<boolean> {
  const copy = copyForm(text, n);
  const data = copy && copyRows(rows, n);
  if (!copy || !data) return false;
  await trx.executeQuery(CompiledQuery.raw(copy, [data]));
  return true;
}

/** The parts of a plain `insert into t (…) values (…)`, nothing after it; null for any other statement. */
function plainInsert(text: string): RegExpExecArray | null {
  const m = INSERT_ONE.exec(text);
  return m !== null && m[0].length === text.length ? m : null;
}

/** A one-row plain `insert into t (a, b) values ($1, $2)` as `copy t (a, b) from stdin`, or null. */
function copyForm(text: string, n: number): string | null {
  const m = plainInsert(text);
  if (!m) return null;
  const cols = m[2].split(', ');
  const params = m[3].split(', ');
  if (cols.length !== n || params.some((p, i) => p !== `$${i + 1}`) || cols.some((c) => !/^"[a-z0-9_]+"$/.test(c)) || !/^"[a-z0-9_]+"$/.test(m[1])) return null;
  return `copy ${m[1]} (${m[2]}) from stdin`;
}

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_SPECIALS = /[\\\n\r\t]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * The rows in COPY's text format: a line per row, tab-separated, \N for NULL, and backslash,
 * newline, carriage return and tab escaped in text; null when a value is not text, a number, a
 * boolean or null (then bulkWrite takes another form).
 */
function copyRows(rows: object[], n: number): string | null {
  const lines = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const values = Object.values(rows[r]);
    if (values.length !== n) return null;
    let line = '';
    for (let i = 0; i < n; i++) {
      const v = values[i];
      let field: string;
      if (v === null) field = '\\N';
      else if (typeof v === 'string') field = COPY_SPECIAL.test(v) ? v.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c]) : v;
      else if (typeof v === 'number') field = String(v); // NaN, Infinity and -Infinity read as themselves
      else if (typeof v === 'boolean') field = v ? 't' : 'f';
      else return null;
      line = i === 0 ? field : line + '\t' + field;
    }
    lines[r] = line;
  }
  return lines.join('\n') + '\n';
}

/** Whether a one-row statement binds exactly the row's values, in key order (and nothing else). */
function bindsInOrder(compiled: { parameters: readonly unknown[] }, values: unknown[]): boolean {
  return compiled.parameters.length === values.length && compiled.parameters.every((p, i) => p === values[i]);
}

/** A one-row INSERT or UPDATE by key rewritten to read its rows through unnest(), or null. */
async function unnestForm(store: Store, trx: Transaction<Database>, text: string, n: number, base = 0): Promise<string | null> {
  return (await unnestInsert(store, trx, text, n, base)) ?? (await unnestUpdate(store, trx, text, n, base));
}

// Column types per table and store, read once: the array casts unnest() needs.
const columnTypes = new WeakMap<Store, Map<string, Promise<Map<string, string>>>>();
const INSERT_ONE = /^insert into ("(?:[^"]|"")+") \(([^)]*)\) values \(([^)]*)\)/;

/**
 * Rewrites a one-row `insert into t (a, b) values ($1, $2) …` into
 * `insert into t (a, b) select * from unnest($1::text[], $2::integer[]) …`, keeping whatever
 * follows (ON CONFLICT, RETURNING); null when the statement is not of that form.
 */
async function unnestInsert(store: Store, trx: Transaction<Database>, text: string, n: number, base = 0): Promise<string | null> {
  const m = INSERT_ONE.exec(text);
  if (!m) return null;
  const cols = m[2].split(', ');
  const params = m[3].split(', ');
  if (cols.length !== n || params.some((p, i) => p !== `$${i + 1}`) || cols.some((c) => !/^"[a-z0-9_]+"$/.test(c))) return null;
  const table = m[1];
  const casts = await arrayCasts(store, trx, table, cols, base);
  if (!casts) return null;
  return `insert into ${table} (${m[2]}) select * from unnest(${casts.join(', ')})${text.slice(m[0].length)}`;
}

const UPDATE_ONE = /^update ("(?:[^"]|"")+") set ((?:"[a-z0-9_]+" = \$\d+, )*"[a-z0-9_]+" = \$\d+) where ("[a-z0-9_]+") = \$(\d+)$/;

/**
 * Rewrites a one-row `update t set a = $1, b = $2 where k = $3` into
 * `update t set a = v.a, b = v.b from unnest($1::text[], $2::text[], $3::text[]) as v (a, b, k) where t.k = v.k`:
 * no speculative insertion, no tuple lock record, and only the changed columns sent (an upsert
 * carries every column of the row); null when the statement is not of that form.
 */
async function unnestUpdate(store: Store, trx: Transaction<Database>, text: string, n: number, base = 0): Promise<string | null> {
  const m = UPDATE_ONE.exec(text);
  if (!m) return null;
  const sets = m[2].split(', ').map((a) => a.split(' = '));
  const cols = [...sets.map(([c]) => c), m[3]];
  const params = [...sets.map(([, p]) => p), `$${m[4]}`];
  if (cols.length !== n || params.some((p, i) => p !== `$${i + 1}`)) return null;
  const table = m[1];
  const casts = await arrayCasts(store, trx, table, cols, base);
  if (!casts) return null;
  const set = sets.map(([c]) => `${c} = v.${c}`).join(', ');
  return `update ${table} set ${set} from unnest(${casts.join(', ')}) as v (${cols.join(', ')}) where ${table}.${m[3]} = v.${m[3]}`;
}

/** `$n::type[]` for each quoted column of `table`, numbered from base + 1; null if one is unknown. */
async function arrayCasts(store: Store, trx: Transaction<Database>, table: string, cols: string[], base: number): Promise<string[] | null> {
  const types = await typesOf(store, trx, table);
  const casts: string[] = [];
  for (let i = 0; i < cols.length; i++) {
    const t = types.get(cols[i].slice(1, -1));
    if (!t) return null;
    casts.push(`$${base + i + 1}::${t}[]`);
  }
  return casts;
}

function typesOf(store: Store, trx: Transaction<Database>, table: string): Promise<Map<string, string>> {
  let perStore = columnTypes.get(store);
  if (!perStore) columnTypes.set(store, (perStore = new Map()));
  let types = perStore.get(table);
  if (!types) {
    types = sql<{ name: string; type: string }>`select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = ${table}::regclass and attnum > 0 and not attisdropped`
      .execute(trx)
      .then((r) => new Map(r.rows.map((c) => [c.name, c.type])));
    types.catch(() => perStore!.delete(table));
    perStore.set(table, types);
  }
  return types;
}
