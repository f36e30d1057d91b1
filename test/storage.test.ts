// The storage layer on every dialect: migrations are idempotent, bulk writes return what they
// wrote whichever path they take, counts come back as numbers, and the audit log is append-only.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, bulkWrite, startMaintenance, type Store } from '../src/storage/index.ts';
import { sql } from 'kysely';
import { newId } from '../src/model/index.ts';
import { dialectTargets, skipUnless } from './support/stores.ts';

for (const target of dialectTargets()) {
  describe(`storage on ${target.name}`, async () => {
    const skip = await skipUnless(target);
    const opts = skip ? null : target.options();
    const stores: Store[] = [];
    const open = async () => {
      const s = await openStore({ databaseUrl: opts!.databaseUrl, dataDir: opts!.dataDir, pgSchema: opts!.pgSchema });
      stores.push(s);
      return s;
    };
    after(async () => {
      for (const s of stores) await s.close();
      if (!skip) await target.cleanup();
    });

    test('opening twice runs each migration once', { skip }, async () => {
      const a = await open();
      await a.close();
      stores.pop();
      const b = await open();
      const ran = ((await b.db.selectFrom('otscope_migrations' as never).select('name' as never).execute()) as { name: string }[]).map((r) => r.name);
      assert.deepEqual(ran.slice(0, 2), ['001-initial', '002-audit-append-only']);
      assert.equal(new Set(ran).size, ran.length, `a migration ran twice: ${ran.join(', ')}`);
    });

    if (target.name === 'postgres') {
      test('PostgreSQL connections run without JIT compilation, in the store\'s schema', { skip }, async () => {
        const s = await open();
        const { rows } = await sql<{ jit: string; schema: string }>`SELECT current_setting('jit') AS jit, current_schema() AS schema`.execute(s.db);
        assert.deepEqual(rows[0], { jit: 'off', schema: opts!.pgSchema });
      });
    }

    test('bulk upserts return every row, new and existing, and counts are numbers', { skip }, async () => {
      const s = stores[0];
      const t = '2026-11-01T00:00:00.000Z';
      const row = (i: number) => ({ id: newId(), ip: `36.134.80.${i}`, ipKey: `ip-${String(i).padStart(3, '0')}`, provinceCode: '360000', cityCode: '360100', countyCode: null, enterpriseId: null, vendor: null, product: null, model: null, firmware: null, honeypot: 0, firstSeen: t, lastSeen: t });
      const write = (rows: ReturnType<typeof row>[]) =>
        s.db.transaction().execute((trx) =>
          bulkWrite(s, trx, rows, (chunk) =>
            trx
              .insertInto('assets')
              .values(chunk)
              .onConflict((oc) => oc.column('ip').doUpdateSet((eb) => ({ lastSeen: eb.ref('excluded.lastSeen') })))
              .returning(['id', 'ip', 'ipKey']),
          ),
        );
      const first = await write(Array.from({ length: 300 }, (_, i) => row(i)));
      assert.equal(first.length, 300);
      assert.deepEqual(Object.keys(first[0]).sort(), ['id', 'ip', 'ipKey']);
      const again = await write(Array.from({ length: 310 }, (_, i) => row(i)));
      assert.equal(again.length, 310);
      // Existing rows keep their ids: the conflict updated them.
      const ids = new Map(first.map((r) => [r.ip, r.id]));
      for (const r of again.slice(0, 300)) assert.equal(r.id, ids.get(r.ip));
      const n = await s.db.selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(n.n, 310);
      assert.equal(typeof n.n, 'number');
    });

    test('bulk writes carry awkward text, NULLs and numbers unchanged, with the conflict clause applied', { skip }, async () => {
      const s = stores[0];
      const t = '2026-11-02T00:00:00.000Z';
      // Characters PostgreSQL's array literal quotes or escapes, and strings that look like its NULL.
      const awkward = ['', 'NULL', 'null', '"quoted"', 'back\\slash', '{brace,comma}', "it's", ' lead and trail ', '换行\n制表\t', '€😀', '[1, 2]'];
      const rows = awkward.map((text, i) => ({
        id: newId(),
        ip: `36.134.81.${i}`,
        ipKey: `awk-${String(i).padStart(3, '0')}`,
        provinceCode: '360000',
        cityCode: i % 2 ? null : '360100',
        countyCode: null,
        enterpriseId: null,
        vendor: text,
        product: i % 3 ? text : null,
        model: null,
        firmware: null,
        honeypot: i % 2,
        firstSeen: t,
        lastSeen: t,
      }));
      const upsert = (chunk: typeof rows) =>
        s.db.transaction().execute((trx) =>
          bulkWrite(s, trx, chunk, (c) =>
            trx
              .insertInto('assets')
              .values(c)
              .onConflict((oc) => oc.column('ip').doUpdateSet((eb) => ({ vendor: eb.ref('excluded.vendor'), lastSeen: eb.ref('excluded.lastSeen') }))),
          ),
        );
      await upsert(rows);
      await upsert(rows.map((r) => ({ ...r, id: newId(), vendor: `${r.vendor}!`, lastSeen: '2026-11-03T00:00:00.000Z' })));
      const back = await s.db.selectFrom('assets').selectAll().where('ipKey', 'like', 'awk-%').orderBy('ipKey').execute();
      assert.equal(back.length, awkward.length);
      back.forEach((b, i) => {
        assert.equal(b.id, rows[i].id, 'the conflict kept the first id');
        assert.equal(b.vendor, `${awkward[i]}!`);
        assert.equal(b.product, rows[i].product);
        assert.equal(b.cityCode, rows[i].cityCode);
        assert.equal(b.honeypot, rows[i].honeypot);
        assert.equal(b.lastSeen, '2026-11-03T00:00:00.000Z');
      });
    });

    test('the audit log refuses updates and deletes', { skip }, async () => {
      const s = stores[0];
      await s.db.insertInto('auditLog').values({ id: newId(), at: new Date().toISOString(), actorId: null, actorName: null, action: 'test', objectType: 'x', objectId: null, detail: '{}' }).execute();
      await assert.rejects(s.db.updateTable('auditLog').set({ action: 'changed' }).execute(), /append-only/);
      await assert.rejects(s.db.deleteFrom('auditLog').execute(), /append-only/);
      const rows = await s.db.selectFrom('auditLog').select('action').where('action', '=', 'test').execute();
      assert.deepEqual(rows.map((r) => r.action), ['test']);
    });

    test('bulk writes are counted, and maintenance refreshes planner statistics once they move', { skip }, async () => {
      const s = stores[0];
      assert.ok(s.writes >= 610, `writes ${s.writes}`);
      // PostgreSQL analyses only the tables its statistics show changed (db.ts), and a backend
      // publishes its counts when idle, at most once a second: wait until this schema's assets show
      // the rows written above, or maintenance would rightly find nothing to do (nor autovacuum meanwhile).
      if (s.dialect === 'postgres') await sql`ALTER TABLE assets SET (autovacuum_enabled = false)`.execute(s.db);
      const changed = async () =>
        (await sql<{ n: number }>`SELECT n_mod_since_analyze AS n FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'assets'`.execute(s.db)).rows[0]?.n ?? 0;
      for (let i = 0; s.dialect === 'postgres' && i < 100 && (await changed()) < 600; i++) await new Promise((r) => setTimeout(r, 100));
      const m = startMaintenance(s, 20);
      await s.db.transaction().execute((trx) =>
        bulkWrite(s, trx, [{ id: newId(), at: new Date().toISOString(), actorId: null, actorName: null, action: 'maintenance-test', objectType: 'x', objectId: null, detail: '{}' }], (chunk) => trx.insertInto('auditLog').values(chunk)),
      );
      await new Promise((r) => setTimeout(r, 300));
      await m.stop();
      if (s.dialect === 'postgres') {
        // This store's assets, not another test's schema's; ANALYZE's own count is published like the others.
        const analyzed = async () =>
          (await sql<{ analyzed: boolean }>`SELECT last_analyze IS NOT NULL AS analyzed FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'assets'`.execute(s.db)).rows[0].analyzed;
        let ok = await analyzed();
        for (let i = 0; !ok && i < 100; i++) ok = (await new Promise((r) => setTimeout(r, 100)), await analyzed());
        assert.equal(ok, true, 'ANALYZE ran on assets');
      } else {
        const r = await sql<{ n: number }>`SELECT count(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'`.execute(s.db);
        assert.equal(Number(r.rows[0].n), 1, 'PRAGMA optimize gathered statistics');
      }
    });

    test('a writer lock serialises writers', { skip }, async () => {
      const s = stores[0];
      const order: string[] = [];
      const writer = (name: string, holdMs: number) =>
        s.db.transaction().execute(async (trx) => {
          await s.lockWriters(trx);
          order.push(`${name}:start`);
          await new Promise((r) => setTimeout(r, holdMs));
          order.push(`${name}:end`);
        });
      await Promise.all([writer('a', 50), writer('b', 0)]);
      assert.deepEqual(order, ['a:start', 'a:end', 'b:start', 'b:end']);
    });
  });
}
