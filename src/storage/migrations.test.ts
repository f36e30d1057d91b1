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

for (const dialect of ['sqlite', 'postgres'] as DialectName[]) {
  describe(`migrations 009-010 on ${dialect}`, async () => {
    const skip = dialect === 'postgres' && !process.env.CI && !(await pgReachable()) ? 'PostgreSQL not reachable' : false;
    const dir = mkdtempSync(join(tmpdir(), 'otscope-migrations-'));
    const schema = `otscope_mig_${process.pid}_${Date.now().toString(36)}`;
    let db: Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    after(async () => {
      if (skip) return;
      if (dialect === 'postgres') await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db);
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    test('findings and observations written before 009 survive 009 and 010', { skip }, async () => {
      if (dialect === 'sqlite') {
        db = new Kysely({ dialect: new SqliteDialect({ database: new BetterSqlite3(join(dir, 'm.sqlite')) }), plugins: [new CamelCasePlugin()] });
      } else {
        const pool = new pg.Pool({ connectionString: PG_URL, max: 1, options: `-c search_path=${schema}` });
        db = new Kysely({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
        await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(db);
      }
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations(dialect) }, ...(dialect === 'postgres' ? { migrationTableSchema: schema } : {}) });
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
