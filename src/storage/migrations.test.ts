// Migrations 009 and 010 rewrite tables that hold data: a store migrated up to 008 with findings
// and observations in it keeps every row, with the finding's reason moved into match_reasons.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { CamelCasePlugin, Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { migrations } from './migrations.ts';
import { reasonKey } from './match-reasons.ts';
import type { DialectName } from './db.ts';

const PG_URL = process.env.OTSCOPE_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const T = '2026-11-01T08:00:00.000Z';
const REASON = 'ICSA-20-196-06 › Siemens › SIMATIC S7-200 SMART: product name; firmware V2.3.0 in < V2.5.1';

async function pgReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

/** A private database for one dialect's migration test: a SQLite file or a fresh PostgreSQL schema. */
async function migrationStore(dialect: DialectName) {
  const skip = dialect === 'postgres' && !process.env.CI && !(await pgReachable()) ? 'PostgreSQL not reachable' : false;
  const dir = mkdtempSync(join(tmpdir(), 'otscope-migrations-'));
  const schema = `otscope_mig_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  let db: Kysely<any> | null = null; // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    skip,
    schema,
    open: async () => {
      if (dialect === 'sqlite') {
        db = new Kysely({ dialect: new SqliteDialect({ database: new BetterSqlite3(join(dir, 'm.sqlite')) }), plugins: [new CamelCasePlugin()] });
      } else {
        const pool = new pg.Pool({ connectionString: PG_URL, max: 1, options: `-c search_path=${schema}` });
        db = new Kysely({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
        await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(db);
      }
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations(dialect) }, ...(dialect === 'postgres' ? { migrationTableSchema: schema } : {}) });
      return { db, migrator };
    },
    close: async () => {
      if (db && dialect === 'postgres') await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db);
      await db?.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

for (const dialect of ['sqlite', 'postgres'] as DialectName[]) {
  describe(`migrations 009-010 on ${dialect}`, async () => {
    const store = await migrationStore(dialect);
    const { skip } = store;
    after(() => store.close());

    test('findings and observations written before 009 survive 009 and 010', { skip }, async () => {
      const { db, migrator } = await store.open();
      assert.equal((await migrator.migrateTo('008-asset-keyset-indexes')).error, undefined);
      const finding = (id: string, serviceId: string, advisoryId: string) => ({
        id, assetId: 'a1', serviceId, advisoryId, productId: 'CSAFPID-0001', ip: '36.134.80.10', port: 102, provinceCode: '360000', cityCode: '360100', countyCode: null,
        enterpriseId: null, cves: '["CVE-2020-7584"]', confidence: 'likely', reason: REASON, severity: 'high', cvss: 7.5, status: 'open', createdAt: T, updatedAt: T,
      });
      await db.insertInto('findings').values([finding('f1', 's1', 'ICSA-20-196-06'), finding('f2', 's2', 'ICSA-20-196-06')]).execute();
      const observation = { id: 'o1', assetId: 'a1', ip: '36.134.80.10', port: 102, transport: 'tcp', protocol: 's7comm', source: 'test', via: null, observedAt: T, receivedAt: T, identity: '{}' };
      await db.insertInto('observations').values(observation).execute();

      const { error, results } = await migrator.migrateToLatest();
      assert.equal(error, undefined);
      assert.deepEqual(results?.map((r) => r.migrationName).slice(0, 2), ['009-findings-and-observations-by-asset', '010-match-reasons']);
      const rows = await db.selectFrom('findings').leftJoin('matchReasons', 'matchReasons.key', 'findings.reason').select(['findings.id', 'findings.reason', 'matchReasons.reason as text']).orderBy('findings.id').execute();
      assert.deepEqual(rows, [
        { id: 'f1', reason: reasonKey(REASON), text: REASON },
        { id: 'f2', reason: reasonKey(REASON), text: REASON },
      ]);
      assert.deepEqual(await db.selectFrom('observations').selectAll().execute(), [observation]);
      // The new keys hold: the same evidence again collides, and so does the same finding.
      await db.insertInto('observations').values(observation).onConflict((oc) => oc.columns(['assetId', 'observedAt', 'id']).doNothing()).execute();
      await db.insertInto('findings').values({ ...finding('f3', 's1', 'ICSA-20-196-06'), reason: reasonKey(REASON) }).onConflict((oc) => oc.columns(['assetId', 'serviceId', 'advisoryId']).doUpdateSet({ status: 'fixed' })).execute();
      assert.equal((await db.selectFrom('observations').select('id').execute()).length, 1);
      assert.deepEqual(await db.selectFrom('findings').select(['id', 'status']).orderBy('id').execute(), [{ id: 'f1', status: 'fixed' }, { id: 'f2', status: 'open' }]);
    });
  });
}

// Migration 011 rebuilds three asset indexes without NULL and drops identities_asset on a store that
// holds assets with and without a county, enterprise and vendor: every row stays, and an equality on
// each column still plans onto its index (on PostgreSQL as a generic plan, with the parameter unknown).
const PARTIAL = [
  ['assets_county_ip_id', 'county_code'],
  ['assets_enterprise_ip_id', 'enterprise_id'],
  ['assets_vendor_ip_id', 'vendor'],
] as const;

for (const dialect of ['sqlite', 'postgres'] as DialectName[]) {
  describe(`migration 011 on ${dialect}`, async () => {
    const store = await migrationStore(dialect);
    const { skip, schema } = store;
    after(() => store.close());

    test('assets and identities written before 011 survive it, and each partial index answers col = ?', { skip }, async () => {
      const { db, migrator } = await store.open();
      assert.equal((await migrator.migrateTo('010-match-reasons')).error, undefined);
      const asset = (id: string, ip: string, place: { countyCode: string | null; enterpriseId: string | null; vendor: string | null }) => ({
        id, ip, ipKey: ip.padStart(32, '0'), provinceCode: '360000', cityCode: '360100', ...place, product: null, model: null, firmware: null, honeypot: 0, firstSeen: T, lastSeen: T,
      });
      const assets = [
        asset('a1', '36.134.80.10', { countyCode: '360102', enterpriseId: 'e1', vendor: 'Siemens' }),
        asset('a2', '36.134.80.11', { countyCode: null, enterpriseId: null, vendor: null }),
      ];
      await db.insertInto('assets').values(assets).execute();
      await db.insertInto('services').values({ id: 's1', assetId: 'a1', port: 102, transport: 'tcp', protocol: 's7comm', firstSeen: T, lastSeen: T }).execute();
      const identity = { serviceId: 's1', assetId: 'a1', vendor: 'Siemens', vendorKey: 'siemens', product: null, model: null, orderNumber: null, firmware: 'V2.3.0', hardware: null, serial: null, moduleName: null, plantId: null, raw: '{}', digest: 'd1', observedAt: T };
      await db.insertInto('identities').values(identity).execute();

      assert.equal((await migrator.migrateTo('011-ingest-without-unasked-index-entries')).error, undefined);
      assert.deepEqual(await db.selectFrom('assets').selectAll().orderBy('id').execute(), assets);
      assert.deepEqual(await db.selectFrom('identities').selectAll().execute(), [identity]);

      const indexes =
        dialect === 'sqlite'
          ? (await sql<{ name: string; def: string }>`SELECT name, sql AS def FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('assets', 'identities')`.execute(db)).rows
          : (await sql<{ name: string; def: string }>`SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = ${schema} AND tablename IN ('assets', 'identities')`.execute(db)).rows;
      const names = indexes.map((i) => i.name);
      assert.ok(!names.includes('identities_asset'), names.join(', '));
      for (const [name, column] of PARTIAL) {
        const def = indexes.find((i) => i.name === name)?.def ?? '';
        assert.match(def, new RegExp(`\\(\\s*"?${column}"?\\s+is\\s+not\\s+null\\s*\\)|"?${column}"?\\s+is\\s+not\\s+null`, 'i'), `${name}: ${def}`);
        const query = `SELECT id FROM assets WHERE ${column} = $1 ORDER BY ip_key, id`;
        let plan: string;
        if (dialect === 'sqlite') {
          plan = (await sql.raw<{ detail: string }>(`EXPLAIN QUERY PLAN ${query.replace('$1', "'x'")}`).execute(db)).rows.map((r) => r.detail).join('\n');
        } else {
          await sql.raw('SET enable_seqscan = off').execute(db);
          await sql.raw('SET plan_cache_mode = force_generic_plan').execute(db);
          await sql.raw(`PREPARE q011(text) AS ${query}`).execute(db);
          plan = (await sql.raw<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE q011('x')`).execute(db)).rows.map((r) => r['QUERY PLAN']).join('\n');
          await sql.raw('DEALLOCATE q011').execute(db);
          await sql.raw('RESET ALL').execute(db);
        }
        assert.match(plan, new RegExp(`\\b${name}\\b`), `${column} = ? plans onto ${name}:\n${plan}`);
        if (dialect === 'postgres') assert.match(plan, /\$1/, 'a generic plan');
      }
    });
  });
}

describe('migration 012 on postgres: text compares bytes', async () => {
  const m = await migrationStore('postgres');
  after(() => m.close());

  test('every text column of every table, the rows in them and their order kept, and an index still chosen for an equality', { skip: m.skip }, async () => {
    const { db, migrator } = await m.open();
    const to011 = await migrator.migrateTo('011-ingest-without-unasked-index-entries');
    assert.equal(to011.error, undefined);
    // Keys whose byte order and the database collation's order could differ, were it not code-point order.
    const ips = ['36.134.80.1', '36.134.80.10', '36.134.80.2', '2409:8a00::1'];
    for (const [i, ip] of ips.entries()) {
      await db
        .insertInto('assets')
        .values({ id: `A${i}`, ip, ipKey: ip.padStart(32, '0'), provinceCode: '360000', cityCode: '360100', vendor: i % 2 ? 'Ünïcode GmbH' : '西门子', honeypot: 0, firstSeen: T, lastSeen: T })
        .execute();
    }
    const before = await db.selectFrom('assets').selectAll().orderBy('vendor').orderBy('ipKey').execute();
    const { error } = await migrator.migrateToLatest();
    assert.equal(error, undefined);
    const notC = await sql<{ table: string; column: string; collation: string | null }>`
      SELECT table_name AS "table", column_name AS "column", collation_name AS collation FROM information_schema.columns
      WHERE table_schema = ${m.schema} AND data_type = 'text' AND collation_name IS DISTINCT FROM 'C' AND table_name NOT LIKE 'kysely\\_%'`.execute(db);
    assert.deepEqual(notC.rows, [], 'text columns left on the database collation');
    const tables = await sql<{ n: number }>`SELECT count(DISTINCT table_name)::int AS n FROM information_schema.columns WHERE table_schema = ${m.schema} AND collation_name = 'C'`.execute(db);
    assert.ok(tables.rows[0].n >= 25, `tables with text columns: ${tables.rows[0].n}`);
    assert.deepEqual(await db.selectFrom('assets').selectAll().orderBy('vendor').orderBy('ipKey').execute(), before);
    await sql.raw('SET enable_seqscan = off').execute(db);
    const plan = (await sql.raw<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM assets WHERE city_code = '360100' ORDER BY ip_key, id`).execute(db)).rows.map((r) => r['QUERY PLAN']).join('\n');
    await sql.raw('RESET ALL').execute(db);
    assert.match(plan, /assets_city_ip_id/, plan);
  });
});
