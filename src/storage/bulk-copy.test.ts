// bulkWriteAll on PostgreSQL sends plain INSERTs by COPY ahead of the other writes (bulk.ts). The
// order of the plain INSERTs is what lets a row name, by foreign key, a row an earlier one writes
// (ingest: new assets, their services, the services' identities); it must hold whatever the batch
// holds, one new parent row included. A COPY that fails must fail its transaction and leave the
// pooled connection usable; and text that means something in COPY's format must come back as sent.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Transaction } from 'kysely';
import { openStore, type Store } from './db.ts';
import { bulkSpec, bulkWrite, bulkWriteAll } from './bulk.ts';
import type { Database } from './schema.ts';
import { dialectTargets, skipUnless } from '../../test/support/stores.ts';

describe('bulkWriteAll and COPY on postgres', async () => {
  const target = dialectTargets().find((t) => t.name === 'postgres')!;
  const skip = await skipUnless(target);
  let store: Store | undefined;
  after(async () => {
    await store?.close();
    if (!skip) await target.cleanup();
  });
  const count = async (table: string) => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(store!.db)).rows[0].n);

  test('one new parent row and two children naming it: both written, parent first', { skip }, async () => {
    const s = (store ??= await openStore(target.options()));
    await sql`CREATE TABLE one_parent (k integer PRIMARY KEY, t text)`.execute(s.db);
    await sql`CREATE TABLE one_child (k integer PRIMARY KEY, parent integer NOT NULL REFERENCES one_parent (k))`.execute(s.db);
    await s.db.transaction().execute(async (trx) => {
      await bulkWriteAll(s, trx, [
        bulkSpec([{ k: 1, t: 'p' }], (rows) => trx.insertInto('one_parent' as never).values(rows as never)),
        bulkSpec([{ k: 10, parent: 1 }, { k: 11, parent: 1 }], (rows) => trx.insertInto('one_child' as never).values(rows as never)),
      ]);
    });
    assert.deepEqual([await count('one_parent'), await count('one_child')], [1, 2]);
  });

  test('a parent INSERT whose values COPY does not carry: its children still go after it', { skip }, async () => {
    const s = (store ??= await openStore(target.options()));
    await sql`CREATE TABLE dated_parent (k integer PRIMARY KEY, at timestamptz)`.execute(s.db);
    await sql`CREATE TABLE dated_child (k integer PRIMARY KEY, parent integer NOT NULL REFERENCES dated_parent (k))`.execute(s.db);
    const at = new Date('2026-11-01T08:00:00.000Z');
    await s.db.transaction().execute(async (trx) => {
      await bulkWriteAll(s, trx, [
        bulkSpec([{ k: 1, at }, { k: 2, at }], (rows) => trx.insertInto('dated_parent' as never).values(rows as never)),
        bulkSpec([{ k: 10, parent: 1 }, { k: 11, parent: 2 }], (rows) => trx.insertInto('dated_child' as never).values(rows as never)),
      ]);
    });
    assert.deepEqual([await count('dated_parent'), await count('dated_child')], [2, 2]);
  });

  test('text that reads as COPY syntax comes back as sent', { skip }, async () => {
    const s = (store ??= await openStore(target.options()));
    await sql`CREATE TABLE copy_syntax (k integer PRIMARY KEY, t text)`.execute(s.db);
    const texts = ['\\N', '\\.', '\\', 'a\\', '\\\\N', '\t', '\n', '\r\n', 'a\tb\nc\rd', '\\t', '.', 'N'];
    const rows = texts.map((t, k) => ({ k, t }));
    await s.db.transaction().execute((trx) => bulkWrite(s, trx, rows, (r) => trx.insertInto('copy_syntax' as never).values(r as never)));
    const back = await sql<{ k: number; t: string | null }>`SELECT k, t FROM copy_syntax ORDER BY k`.execute(s.db);
    assert.deepEqual(back.rows, rows);
  });

  for (const [where, bad] of [
    ['the first row of a large COPY', 0],
    ['the last row of a large COPY', 49_999],
  ] as const) {
    test(`a COPY failing at ${where} fails its transaction; the connection then runs the next statement`, { skip }, async () => {
      const s = (store ??= await openStore(target.options()));
      const table = `copy_fails_${bad}`;
      await sql`CREATE TABLE ${sql.table(table)} (k integer PRIMARY KEY, t text NOT NULL)`.execute(s.db);
      // ~5 MB of rows, more than a socket takes at once, so the server may fail while rows are still sent.
      const rows = Array.from({ length: 50_000 }, (_, k) => ({ k, t: k === bad ? null : 'x'.repeat(100) }));
      await s.db.connection().execute(async (conn) => {
        await assert.rejects(
          conn.transaction().execute((trx) => bulkWrite(s, trx as Transaction<Database>, rows, (r) => trx.insertInto(table as never).values(r as never))),
          { code: '23502' },
        );
        const pid = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(conn);
        assert.equal(typeof pid.rows[0].pid, 'number');
        await conn.transaction().execute((trx) => bulkWrite(s, trx as Transaction<Database>, rows.slice(0, 3).map((r) => ({ ...r, t: 'ok' })), (r) => trx.insertInto(table as never).values(r as never)));
      });
      assert.equal(await count(table), 3);
    });
  }
});
