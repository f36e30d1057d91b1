// Opens the store: SQLite (better-sqlite3, WAL) by default, PostgreSQL when a URL is given.
// Dialect differences are declared here, once, as capabilities.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CamelCasePlugin, Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationProvider, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { migrations } from './migrations.ts';
import { startWalCheckpoints } from './wal-checkpoints.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Largest number of bound parameters one statement may carry on this dialect. */
  maxParams: number;
  /** SQLite's statement cache, for the prepared-statement bulk path (bulk.ts); null on PostgreSQL. */
  sqlite: { prepare(sql: string): BetterSqlite3.Statement } | null;
  /**
   * Serialises writers that read-then-write shared rows (ingest, re-attribution) across every
   * process using this database: a transaction-scoped advisory lock on PostgreSQL; nothing on
   * SQLite, where a write transaction already excludes other writers.
   */
  lockWriters(trx: Transaction<Database>): Promise<void>;
  /** Rows written through bulkWrite since the store opened (maintenance runs when it moves). */
  writes: number;
  /**
   * Refreshes the planner's statistics after bulk writes: ANALYZE of the changed tables on
   * PostgreSQL (autovacuum lags behind a bulk load, and with a table it still thinks empty the
   * planner sorts a quarter of a million assets for one page); PRAGMA optimize on SQLite.
   * `quick` (PostgreSQL, while a bulk load runs): statistics from a tenth of the sample; the next
   * full run analyses those tables again with the whole sample, whether or not they changed since,
   * and vacuums the tables autovacuum would. Once `signal` aborts, stops before the next table.
   */
  optimize(mode?: 'quick' | 'full', signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  databaseUrl: string | null;
  dataDir: string;
  /** PostgreSQL schema to use (tests isolate themselves in a fresh one). */
  pgSchema?: string;
}

// pg returns int8/numeric as strings; counts here fit in doubles, so parse them at the boundary.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

/** A `COPY … FROM STDIN` whose rows, in COPY's text format, are its one bound parameter (bulk.ts). */
const COPY_IN = /^copy "[a-z0-9_]+" \([^;]*\) from stdin$/;

/**
 * Lets a pooled client run `COPY … FROM STDIN` through the one call Kysely makes,
 * `query(text, [rows])`, so that bulk writes use COPY inside Kysely's transactions. COPY reads
 * its rows as a stream (pg-copy-streams), without an INSERT's executor over unnest()'s parsed
 * arrays: for rows shaped as findings, 7-9 instead of 11 µs of server CPU and 3-4 instead of
 * 7-9 µs of client CPU per row; a new device in bench:ingest, 101-116 instead of 123-134 µs of
 * server CPU. Every other call passes through unchanged.
 */
function acceptCopyIn(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (args.length !== 2 || typeof text !== 'string' || !COPY_IN.test(text) || !Array.isArray(values) || values.length !== 1 || typeof values[0] !== 'string') return query(...args);
    return new Promise((resolve, reject) => {
      const stream = query(copyFrom(text)) as ReturnType<typeof copyFrom>;
      stream.on('error', reject);
      stream.on('finish', () => resolve({ command: 'COPY', rowCount: stream.rowCount, rows: [] }));
      stream.end(values[0]);
    });
  };
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  let store: Store;
  if (opts.databaseUrl) {
    const schema = opts.pgSchema;
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 10,
      // No JIT compilation: the platform's statements are short, but a page by number that steps
      // over ten thousand assets is estimated above jit_above_cost, and compiling it cost more
      // than it saved: 176-184 ms with JIT, 104-108 ms without, at 1,000,000 assets (psql \timing).
      options: ['-c jit=off', ...(schema ? [`-c search_path=${schema}`] : [])].join(' '),
    });
    pool.on('connect', acceptCopyIn);
    if (schema) {
      const client = await pool.connect();
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '')}"`);
      } finally {
        client.release();
      }
    }
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
    /** Tables whose statistics a quick run left from the small sample. */
    const sampled = new Set<string>();
    store = {
      db,
      dialect: 'postgres',
      maxParams: 65_000,
      sqlite: null,
      // 0x6f7473 = 'ots': one application-wide key for the writer lock.
      lockWriters: async (trx) => void (await sql`SELECT pg_advisory_xact_lock(${0x6f7473})`.execute(trx)),
      writes: 0,
      optimize: async (mode = 'full', signal) => {
        // Only the tables that changed by autovacuum's own measure (50 rows + 10% since their last
        // ANALYZE), not the whole database, which at 200,000 assets took ~6 s of server CPU each
        // minute of a load: static tables (advisories, regions) and tables grown by under a tenth wait.
        // A full run also takes the tables a quick run sampled, changed since or not (one dropped
        // since is no longer in the view), and vacuums those past autovacuum's own vacuum thresholds
        // (dead rows or rows inserted since the last VACUUM: 50 or 1,000, plus a fifth of the table;
        // n_ins_since_vacuum needs PostgreSQL 13), as autovacuum would where the server runs it. A
        // loaded table never vacuumed has no page marked all-visible, so every index-only read still
        // visits the table for each row: at 1,000,000 assets on a server without autovacuum, the
        // last tenth of a region's modbus assets by page number took ~790 ms at the median, ~500 ms
        // once vacuumed (BENCHMARKS.md).
        const full = mode === 'full';
        const again = full ? [...sampled] : [];
        const stale = await sql<{ name: string; analyse: boolean; vacuum: boolean }>`
          SELECT name, changed OR name = ANY(${again}::text[]) AS analyse, vacuum FROM (
            SELECT format('%I.%I', schemaname, relname) AS name, n_mod_since_analyze > 50 + 0.1 * n_live_tup AS changed,
              ${full} AND (n_dead_tup > 50 + 0.2 * n_live_tup OR n_ins_since_vacuum > 1000 + 0.2 * n_live_tup) AS vacuum
            FROM pg_stat_user_tables WHERE schemaname = current_schema()) AS t
          WHERE changed OR vacuum OR name = ANY(${again}::text[])`.execute(db);
        for (const { name, analyse, vacuum } of stale.rows) {
          if (signal?.aborted) return;
          if (!full) {
            // ANALYZE reads a sample of 300 x default_statistics_target rows (30,000 at the default
            // of 100), which at 1,000,000 assets is most pages of each table: 0.5-1.4 s of server
            // CPU a table, six tables a run, several runs a load. At 10, 3,000 rows: 30-50 ms a
            // table, and still the row counts and the few values a filter column holds (cities,
            // protocols, vendors) that the planner needs to choose an index (measured here).
            await db.transaction().execute(async (trx) => {
              await sql`SET LOCAL default_statistics_target = 10`.execute(trx);
              await sql`ANALYZE ${sql.raw(name)}`.execute(trx);
            });
            sampled.add(name);
            continue;
          }
          // VACUUM runs outside a transaction (so on a pooled connection of its own), with ANALYZE
          // in the same pass where the statistics are due too; a table another process is
          // vacuuming is skipped rather than waited for.
          const command = vacuum ? (analyse ? 'VACUUM (ANALYZE, SKIP_LOCKED)' : 'VACUUM (SKIP_LOCKED)') : 'ANALYZE';
          await sql`${sql.raw(command)} ${sql.raw(name)}`.execute(db);
          sampled.delete(name);
        }
      },
      close: () => db.destroy(),
    };
  } else {
    mkdirSync(opts.dataDir, { recursive: true });
    const path = join(opts.dataDir, 'otscope.sqlite');
    const file = new BetterSqlite3(path);
    file.pragma('journal_mode = WAL');
    file.pragma('synchronous = NORMAL');
    file.pragma('foreign_keys = ON');
    file.pragma('busy_timeout = 5000');
    // A province's inventory runs to millions of rows: keep hot index pages in memory.
    file.pragma('cache_size = -131072');
    file.pragma('mmap_size = 1073741824');
    file.pragma('temp_store = MEMORY');
    // A batch of 1,000 new devices dirties about 1,000 pages: at the default of 1,000 pages nearly
    // every commit ran a checkpoint (copy into the database file, two fsyncs). At 16,384 pages (64 MiB
    // of WAL) the writer checkpoints about every sixteen batches, and a hot page is copied once per
    // checkpoint rather than once per batch; a second thread copies the log meanwhile
    // (wal-checkpoints.ts), so the writer's checkpoint finds little left to copy before it rewinds.
    file.pragma('wal_autocheckpoint = 16384');
    const checkpoints = startWalCheckpoints(path, { everyMs: 1000, startBytes: 16 * 1024 * 1024 }, (e) => process.emitWarning(e));
    // Kysely prepares every statement it runs; SQLite parsing the same SQL again per batch showed up
    // in profiles, so statements are kept by their text (the shapes are few: one per query site and
    // IN-list length).
    const statements = new Map<string, BetterSqlite3.Statement>();
    const prepare = (text: string) => {
      let stmt = statements.get(text);
      if (!stmt) {
        if (statements.size >= 500) statements.clear();
        stmt = file.prepare(text);
        statements.set(text, stmt);
      }
      return stmt;
    };
    const database = { prepare, close: () => file.close() };
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }), plugins: [new CamelCasePlugin()] });
    store = {
      db,
      dialect: 'sqlite',
      maxParams: 32_000,
      sqlite: { prepare },
      lockWriters: async () => {},
      writes: 0,
      // 0x10002: analyse every table that may benefit, not only those queried on this connection.
      optimize: async () => void file.pragma('optimize=0x10002'),
      close: async () => {
        await checkpoints.stop();
        await db.destroy();
      },
    };
  }
  await migrate(store, opts.databaseUrl ? (opts.pgSchema ?? 'public') : undefined);
  return store;
}

async function migrate(store: Store, pgSchema: string | undefined): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(store.dialect) };
  const migrator = new Migrator({ db: store.db, provider, migrationTableName: 'otscope_migrations', migrationLockTableName: 'otscope_migrations_lock',
    // Kysely looks its tables up across all schemas; naming ours keeps instances in separate schemas apart.
    ...(pgSchema ? { migrationTableSchema: pgSchema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message ?? error}`);
  }
}

/** Rows per multi-row INSERT so that rows × columns stays under the dialect's parameter limit. */
export function chunkSize(store: Store, columns: number): number {
  return Math.max(1, Math.floor(store.maxParams / columns));
}
