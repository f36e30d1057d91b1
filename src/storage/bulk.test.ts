// bulkWrite on PostgreSQL builds its rows' text itself: COPY's text format for a plain INSERT
// (bulk.ts, copyRows), one array literal per column for an INSERT … ON CONFLICT (toColumns). What
// PostgreSQL reads back must be exactly the values sent, for every value a row may hold. Each batch
// here must go through the form it tests, or it would test the fallback. The same for an UPDATE by
// key (one `update … from unnest(…)`) and for textArray's key lists.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Transaction } from 'kysely';
import { openStore, type Store } from './db.ts';
import { bulkSpec, bulkWrite, bulkWriteAll, textArray } from './bulk.ts';
import type { Database } from './schema.ts';
import { dialectTargets, skipUnless } from '../../test/support/stores.ts';

// Text the array literal has to quote or escape, text that reads as its NULL or as another literal,
// whitespace it would trim unquoted, and text beyond the BMP (sent as UTF-8 surrogate pairs joined).
const TEXT = [
  '',
  ' ',
  'NULL',
  'null',
  'NuLl',
  ' NULL ',
  '"NULL"',
  '"',
  '""',
  '\\',
  '\\\\',
  '\\"',
  '"\\',
  'ends in a backslash\\',
  '\\n is not a newline',
  'a"b"c',
  '{',
  '}',
  '{}',
  '{NULL}',
  '{"a","b"}',
  '{{1,2},{3,4}}',
  ',',
  'a,b',
  '  lead and trail  ',
  '\t\n\r\v\f',
  "it's",
  '$1',
  '€ä换行',
  '😀',
  '𝄞\u{10FFFF}',
  '\u2028\u2029\uFEFF',
  '\u0001\u001f\u007f',
  '{"json": "x\\"y\\\\", "n": null, "list": [1, {"k": "{,}"}]}',
  'x'.repeat(100_000),
];
const INTEGERS = [0, 1, -1, 2147483647, -2147483648];
const DOUBLES = [0, 1.5, -1e-7, 1e300, 5e-324, 0.1 + 0.2, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity];

interface Row {
  k: number;
  t: string | null;
  i: number | null;
  d: number | null;
  b: boolean | null;
  j: string | null;
}

/**
 * The transaction as bulkWrite's caller, noting in `statements` what bulkWrite itself sends through
 * it (typesOf's read and a build's own execute() go through the transaction it was built on).
 */
function recording(trx: Transaction<Database>, statements: string[]): Transaction<Database> {
  return new Proxy(trx, {
    get(t, key) {
      if (key === 'executeQuery') return (q: { sql: string }) => (statements.push(q.sql), t.executeQuery(q as never));
      const v = Reflect.get(t, key, t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  }) as Transaction<Database>;
}

describe('bulkWrite on postgres', async () => {
  const target = dialectTargets().find((t) => t.name === 'postgres')!;
  const skip = await skipUnless(target);
  const options = target.options();
  let store: Store | undefined;
  after(async () => {
    await store?.close();
    if (!skip) await target.cleanup();
  });

  /**
   * Writes `rows` in one bulkWrite, asserting it took the form it should (COPY for a plain INSERT,
   * unnest() for an upsert), and reads them back.
   */
  async function roundTrip(s: Store, table: string, rows: Row[], conflict: boolean): Promise<Row[]> {
    const statements: string[] = [];
    await s.db.transaction().execute(async (trx) => {
      const seen = recording(trx, statements);
      await bulkWrite(s, seen, rows, (chunk) => {
        const insert = trx.insertInto(table as never).values(chunk as never);
        return conflict ? insert.onConflict((oc) => oc.column('k' as never).doUpdateSet((eb) => ({ t: eb.ref('excluded.t' as never) }) as never)) : insert;
      });
    });
    assert.equal(statements.length, 1, 'one statement for the batch');
    assert.match(statements[0], conflict ? /from unnest\(/ : /^copy "[a-z_]+" \(.*\) from stdin$/);
    const back = await sql<Row>`SELECT k, t, i, d, b, j::text AS j FROM ${sql.table(table)} ORDER BY k`.execute(s.db);
    return back.rows;
  }

  for (const [form, conflict] of [['COPY', false], ['unnest()', true]] as const) {
    test(`text, numbers, booleans, JSON and NULL come back as sent (${form})`, { skip }, async () => {
      store ??= await openStore(options);
      const table = conflict ? 'hostile_unnest' : 'hostile_copy';
      await sql`CREATE TABLE ${sql.table(table)} (k integer PRIMARY KEY, t text, i integer, d double precision, b boolean, j jsonb)`.execute(store.db);
      const rows: Row[] = [];
      const n = Math.max(TEXT.length, INTEGERS.length, DOUBLES.length);
      for (let k = 0; k < n; k++) {
        rows.push({
          k,
          t: k < TEXT.length ? TEXT[k] : null,
          i: k < INTEGERS.length ? INTEGERS[k] : null,
          d: k < DOUBLES.length ? DOUBLES[k] : null,
          b: k % 3 === 2 ? null : k % 3 === 1,
          j: k % 2 ? JSON.stringify({ text: TEXT[k % TEXT.length].slice(0, 50), k }) : null,
        });
      }
      // NULL in every column of one row, and a row of the strings that look like NULL.
      rows.push({ k: n, t: null, i: null, d: null, b: null, j: null });
      rows.push({ k: n + 1, t: 'NULL', i: 0, d: -0, b: false, j: '"NULL"' });
      const back = await roundTrip(store, table, rows, conflict);
      assert.equal(back.length, rows.length);
      back.forEach((got, r) => {
        const sent = rows[r];
        assert.equal(got.k, sent.k);
        assert.equal(got.t, sent.t, `text of row ${r}`);
        assert.equal(got.i, sent.i, `integer of row ${r}`);
        // -0 is sent as "0" (as pg itself sends it); everything else exactly, NaN and infinities too.
        assert.ok(Object.is(got.d, Object.is(sent.d, -0) ? 0 : sent.d), `double of row ${r}: ${got.d} for ${sent.d}`);
        assert.equal(got.b, sent.b, `boolean of row ${r}`);
        assert.deepEqual(got.j === null ? null : JSON.parse(got.j), sent.j === null ? null : JSON.parse(sent.j), `json of row ${r}`);
      });
    });
  }

  test('the same values through an upsert that updates them', { skip }, async () => {
    const s = store!;
    await sql`CREATE TABLE hostile_upsert (k integer PRIMARY KEY, t text, i integer, d double precision, b boolean, j jsonb)`.execute(s.db);
    const rows = (suffix: string) => TEXT.map((t, k): Row => ({ k, t: t + suffix, i: null, d: null, b: null, j: null }));
    await roundTrip(s, 'hostile_upsert', rows(''), true);
    const back = await roundTrip(s, 'hostile_upsert', rows('\\"}'), true);
    assert.deepEqual(
      back.map((r) => r.t),
      TEXT.map((t) => t + '\\"}'),
    );
  });

  /** Runs one bulkWrite of UPDATEs by key `k`, returning the statements bulkWrite sent. */
  async function updateByKey(s: Store, table: string, rows: { t: string | null; i: number | null; k: number }[]): Promise<string[]> {
    const statements: string[] = [];
    await s.db.transaction().execute(async (trx) => {
      const seen = recording(trx, statements);
      await bulkWrite(s, seen, rows, ([{ k, ...set }]) => trx.updateTable(table as never).set(set as never).where('k' as never, '=', k as never));
    });
    return statements;
  }

  test('an UPDATE by key goes as one update … from unnest(…): the rows named change, the others do not', { skip }, async () => {
    const s = store!;
    await sql`CREATE TABLE hostile_update (k integer PRIMARY KEY, t text, i integer, d double precision)`.execute(s.db);
    await sql`INSERT INTO hostile_update SELECT k, 'before', k, k FROM generate_series(0, ${TEXT.length * 2}) AS k`.execute(s.db);
    // Every other key, hostile text in t, NULL and integers in i; d is not set.
    const rows = TEXT.map((t, n) => ({ t, i: n < INTEGERS.length ? INTEGERS[n] : null, k: n * 2 }));
    const statements = await updateByKey(s, 'hostile_update', rows);
    assert.equal(statements.length, 1, 'one statement for the batch');
    assert.match(statements[0], /^update "hostile_update" set "t" = v\."t", "i" = v\."i" from unnest\(/);
    const back = await sql<{ k: number; t: string | null; i: number | null; d: number }>`SELECT k, t, i, d FROM hostile_update ORDER BY k`.execute(s.db);
    assert.equal(back.rows.length, TEXT.length * 2 + 1);
    for (const r of back.rows) {
      const sent = r.k % 2 === 0 ? rows[r.k / 2] : undefined;
      assert.equal(r.t, sent ? sent.t : 'before', `text of key ${r.k}`);
      assert.equal(r.i, sent ? sent.i : r.k, `integer of key ${r.k}`);
      assert.equal(r.d, r.k, `untouched column of key ${r.k}`);
    }
  });

  test('bulkWriteAll: two UPDATEs by key and an INSERT … ON CONFLICT go as one statement, each doing what it does alone', { skip }, async () => {
    const s = store!;
    await sql`CREATE TABLE all_a (k integer PRIMARY KEY, t text)`.execute(s.db);
    await sql`CREATE TABLE all_b (k integer PRIMARY KEY, t text)`.execute(s.db);
    await sql`INSERT INTO all_a SELECT k, 'a' FROM generate_series(0, 9) AS k`.execute(s.db);
    await sql`INSERT INTO all_b SELECT k, 'b' FROM generate_series(0, 9) AS k`.execute(s.db);
    const statements: string[] = [];
    await s.db.transaction().execute(async (trx) => {
      const seen = recording(trx, statements);
      const update = (table: string) => ([{ k, ...set }]: { t: string; k: number }[]) => trx.updateTable(table as never).set(set as never).where('k' as never, '=', k as never);
      await bulkWriteAll(s, seen, [
        bulkSpec([{ t: 'a"1', k: 1 }, { t: 'a\\2', k: 2 }], update('all_a')),
        bulkSpec([], update('all_a')),
        bulkSpec([{ t: '{b3}', k: 3 }], update('all_b')),
        bulkSpec([{ k: 4, t: 'kept' }, { k: 20, t: 'new' }], (rows) => trx.insertInto('all_b' as never).values(rows as never).onConflict((oc) => oc.column('k' as never).doNothing())),
      ]);
    });
    assert.equal(statements.length, 1, 'one statement for the three writes');
    assert.match(statements[0], /^with w0 as \(update "all_a" .*\), w1 as \(update "all_b" .*\) insert into "all_b" /);
    const a = await sql<{ k: number; t: string }>`SELECT k, t FROM all_a WHERE t <> 'a' ORDER BY k`.execute(s.db);
    assert.deepEqual(a.rows, [{ k: 1, t: 'a"1' }, { k: 2, t: 'a\\2' }]);
    const b = await sql<{ k: number; t: string }>`SELECT k, t FROM all_b WHERE t <> 'b' ORDER BY k`.execute(s.db);
    assert.deepEqual(b.rows, [{ k: 3, t: '{b3}' }, { k: 20, t: 'new' }]);
  });

  test('bulkWriteAll: plain INSERTs go first, each by COPY, in the order given; the other writes after them in one statement', { skip }, async () => {
    const s = store!;
    await sql`CREATE TABLE all_d (k integer PRIMARY KEY, t text)`.execute(s.db);
    await sql`CREATE TABLE all_e (k integer PRIMARY KEY, t text)`.execute(s.db);
    await sql`INSERT INTO all_d SELECT k, 'd' FROM generate_series(0, 9) AS k`.execute(s.db);
    const statements: string[] = [];
    await s.db.transaction().execute(async (trx) => {
      const seen = recording(trx, statements);
      const insert = (table: string) => (rows: { k: number; t: string }[]) => trx.insertInto(table as never).values(rows as never);
      await bulkWriteAll(s, seen, [
        bulkSpec([{ t: 'u1', k: 1 }, { t: 'u2', k: 2 }], ([{ k, ...set }]) => trx.updateTable('all_d' as never).set(set as never).where('k' as never, '=', k as never)),
        bulkSpec([{ k: 20, t: 'e\t20' }, { k: 21, t: 'e\n21' }], insert('all_e')),
        bulkSpec([{ k: 3, t: 'kept' }, { k: 30, t: 'new' }], (rows) => trx.insertInto('all_d' as never).values(rows as never).onConflict((oc) => oc.column('k' as never).doNothing())),
        bulkSpec([{ k: 40, t: 'd\\40' }, { k: 41, t: 'd41' }], insert('all_d')),
      ]);
    });
    assert.deepEqual(
      statements.map((q) => q.slice(0, 20)),
      ['copy "all_e" ("k", "', 'copy "all_d" ("k", "', 'with w0 as (update "'],
    );
    const d = await sql<{ k: number; t: string }>`SELECT k, t FROM all_d WHERE t <> 'd' ORDER BY k`.execute(s.db);
    assert.deepEqual(d.rows, [{ k: 1, t: 'u1' }, { k: 2, t: 'u2' }, { k: 30, t: 'new' }, { k: 40, t: 'd\\40' }, { k: 41, t: 'd41' }]);
    const e = await sql<{ k: number; t: string }>`SELECT k, t FROM all_e ORDER BY k`.execute(s.db);
    assert.deepEqual(e.rows, [{ k: 20, t: 'e\t20' }, { k: 21, t: 'e\n21' }]);
  });

  test('bulkWriteAll: a write that cannot take the unnest() form sends every write on its own', { skip }, async () => {
    const s = store!;
    await sql`CREATE TABLE all_c (k integer PRIMARY KEY, t text)`.execute(s.db);
    const statements: string[] = [];
    await s.db.transaction().execute(async (trx) => {
      const seen = recording(trx, statements);
      await bulkWriteAll(s, seen, [
        bulkSpec([{ k: 1, t: 'x' }, { k: 2, t: 'y' }], (rows) => trx.insertInto('all_c' as never).values(rows as never)),
        // RETURNING: not for a part of one statement.
        bulkSpec([{ k: 3, t: 'z' }, { k: 4, t: 'w' }], (rows) => trx.insertInto('all_c' as never).values(rows as never).returning('k' as never)),
      ]);
    });
    assert.deepEqual(
      statements.map((q) => q.slice(0, 19)),
      ['copy "all_c" ("k", ', 'insert into "all_c"'],
    );
    const c = await sql<{ k: number }>`SELECT k FROM all_c ORDER BY k`.execute(s.db);
    assert.deepEqual(
      c.rows.map((r) => r.k),
      [1, 2, 3, 4],
    );
  });

  test('bulkWriteAll: rows go after the rows their foreign keys name; a key naming no row fails the transaction whole', { skip }, async () => {
    // What ingest relies on (new assets, then their services, then the services' identities): plain
    // INSERTs keep the order given.
    const s = store!;
    await sql`CREATE TABLE fk_parent (k integer PRIMARY KEY)`.execute(s.db);
    await sql`CREATE TABLE fk_child (k integer PRIMARY KEY, parent integer NOT NULL REFERENCES fk_parent (k))`.execute(s.db);
    const write = (children: { k: number; parent: number }[]) =>
      s.db.transaction().execute(async (trx) => {
        const statements: string[] = [];
        await bulkWriteAll(s, recording(trx, statements), [
          bulkSpec([{ k: 1 }, { k: 2 }], (rows) => trx.insertInto('fk_parent' as never).values(rows as never)),
          bulkSpec(children, (rows) => trx.insertInto('fk_child' as never).values(rows as never)),
        ]);
        assert.deepEqual(
          statements.map((q) => q.slice(0, 16)),
          ['copy "fk_parent"', 'copy "fk_child" '],
        );
      });
    const count = async (table: string) => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(s.db)).rows[0].n);
    await assert.rejects(write([{ k: 10, parent: 1 }, { k: 11, parent: 3 }]), { code: '23503' });
    assert.deepEqual([await count('fk_parent'), await count('fk_child')], [0, 0]);
    await write([{ k: 10, parent: 1 }, { k: 11, parent: 2 }]);
    assert.deepEqual([await count('fk_parent'), await count('fk_child')], [2, 2]);
  });

  test('textArray: a key list in one parameter reads back as sent', { skip }, async () => {
    const keys = TEXT.filter((t) => t.length < 1000);
    const back = await sql<{ t: string; n: number }>`SELECT t, n FROM unnest(${textArray(keys)}::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n`.execute(store!.db);
    assert.deepEqual(
      back.rows.map((r) => r.t),
      keys,
    );
  });
});

describe('bulkWrite on sqlite: an UPDATE by key', () => {
  const target = dialectTargets().find((t) => t.name === 'sqlite')!;
  let store: Store | undefined;
  after(async () => {
    await store?.close();
    await target.cleanup();
  });

  test('runs once per row through one prepared statement; the rows named change, the others do not', async () => {
    store = await openStore(target.options());
    const s = store;
    await sql`CREATE TABLE upd (k integer PRIMARY KEY, t text, i integer)`.execute(s.db);
    for (let k = 0; k < 10; k++) await sql`INSERT INTO upd VALUES (${k}, 'before', ${k})`.execute(s.db);
    const rows = [
      { t: 'a"b', i: null, k: 2 },
      { t: null, i: 7, k: 5 },
      { t: '', i: -1, k: 9 },
    ];
    await s.db.transaction().execute((trx) => bulkWrite(s, trx, rows, ([{ k, ...set }]) => trx.updateTable('upd' as never).set(set as never).where('k' as never, '=', k as never)));
    const back = await sql<{ k: number; t: string | null; i: number | null }>`SELECT k, t, i FROM upd ORDER BY k`.execute(s.db);
    for (const r of back.rows) {
      const sent = rows.find((x) => x.k === r.k);
      assert.deepEqual(r, sent ? { k: r.k, t: sent.t, i: sent.i } : { k: r.k, t: 'before', i: r.k });
    }
  });
});

// A row whose value is undefined leaves that column out of its statement (Kysely's rule), so it
// cannot share the first row's prepared statement or array columns: it is written alone, as it
// would be by the query builder, and every other row still is written.
for (const target of dialectTargets()) {
  describe(`bulkWrite on ${target.name}: rows with an undefined value`, async () => {
    const skip = await skipUnless(target);
    let store: Store | undefined;
    after(async () => {
      await store?.close();
      if (!skip) await target.cleanup();
    });

    for (const [name, rows] of [
      ['in the first row', [{ t: undefined, i: 10, k: 1 }, { t: 'x', i: 20, k: 2 }, { t: 'y', i: 30, k: 3 }]],
      ['in a later row', [{ t: 'x', i: 10, k: 1 }, { t: undefined, i: 20, k: 2 }, { t: 'y', i: 30, k: 3 }]],
    ] as const) {
      test(`an UPDATE by key with undefined ${name}: every row named changes, the undefined column stays`, { skip }, async () => {
        store ??= await openStore(target.options());
        const s = store;
        const table = `upd_undefined_${name.replace(/ /g, '_')}`;
        await sql`CREATE TABLE ${sql.table(table)} (k integer PRIMARY KEY, t text, i integer)`.execute(s.db);
        for (let k = 0; k < 5; k++) await sql`INSERT INTO ${sql.table(table)} VALUES (${k}, 'before', ${k})`.execute(s.db);
        await s.db.transaction().execute((trx) => bulkWrite(s, trx, [...rows], ([{ k, ...set }]) => trx.updateTable(table as never).set(set as never).where('k' as never, '=', k as never)));
        const back = await sql<{ k: number; t: string | null; i: number }>`SELECT k, t, i FROM ${sql.table(table)} ORDER BY k`.execute(s.db);
        for (const r of back.rows) {
          const sent = rows.find((x) => x.k === r.k);
          assert.deepEqual(r, sent ? { k: r.k, t: sent.t ?? 'before', i: sent.i } : { k: r.k, t: 'before', i: r.k }, `key ${r.k}`);
        }
      });
    }
  });
}
