// The storage dialects a cross-module test runs on. SQLite always; PostgreSQL when reachable
// (OTSCOPE_TEST_DATABASE_URL, default postgres://root@127.0.0.1:5432/test). In CI a missing
// PostgreSQL is a failure, not a skip.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const PG_URL = process.env.OTSCOPE_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

let pgState: Promise<string | null> | null = null;

/** Null when PostgreSQL answers; otherwise why not. */
export function postgresUnavailable(): Promise<string | null> {
  pgState ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return null;
    } catch (e) {
      return `PostgreSQL at ${PG_URL} is not reachable: ${(e as Error).message}`;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return pgState;
}

export interface DialectTarget {
  name: 'sqlite' | 'postgres';
  /** Options for startPlatform / openStore that put this run in a fresh, private database. */
  options(): { dataDir: string; databaseUrl: string | null; pgSchema?: string };
  /** Removes what options() created. */
  cleanup(): Promise<void>;
}

export function dialectTargets(): DialectTarget[] {
  const dirs: string[] = [];
  const schemas: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'otscope-test-'));
    dirs.push(d);
    return d;
  };
  return [
    {
      name: 'sqlite',
      options: () => ({ dataDir: tempDir(), databaseUrl: null }),
      cleanup: async () => {
        for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
      },
    },
    {
      name: 'postgres',
      options: () => {
        const schema = `otscope_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
        schemas.push(schema);
        return { dataDir: tempDir(), databaseUrl: PG_URL, pgSchema: schema };
      },
      cleanup: async () => {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        try {
          for (const s of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
        } finally {
          await client.end();
        }
      },
    },
  ];
}

/**
 * The node:test `skip` option for a dialect: false to run; a reason to skip (outside CI only).
 * In CI (CI=true) PostgreSQL must be there, so this throws instead of skipping.
 */
export async function skipUnless(target: DialectTarget): Promise<false | string> {
  if (target.name !== 'postgres') return false;
  const why = await postgresUnavailable();
  if (!why) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${why}`);
  console.log(`# skipping PostgreSQL tests: ${why}`);
  return why;
}
