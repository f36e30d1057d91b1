// Composition root: config → storage → region pack → engines → API. The only file that sees all.
import { readFileSync } from 'node:fs';
import { loadConfig, type Config } from './config.ts';
import { LoginThrottle } from './access/index.ts';
import { loadRegionPack, type RegionPack } from './regions/index.ts';
import { ipKey, intToIpv4 } from './net/index.ts';
import { openStore, chunkSize, startMaintenance, type Store } from './storage/index.ts';
import { AdvisoryMatcher, Attribution, allNetworks, ensureAdmin, importBundled, loadMatcher, scanReprober, startWarningJobs, type ServiceContext } from './services/index.ts';
import { buildApi } from './api/index.ts';
import { bundleDashboard } from '../web/bundle.ts';

export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

export interface Platform {
  url: string;
  config: Config;
  ctx: ServiceContext;
  /** Set when this start created `admin` with a generated password (printed once by `serve`). */
  generatedAdminPassword: string | null;
  close(): Promise<void>;
}

export interface StartOptions extends Partial<Config> {
  /** PostgreSQL schema to isolate this instance in (tests). */
  pgSchema?: string;
  /** Skip the dashboard bundle (API-only tests start faster). */
  dashboard?: boolean;
  /** Where progress lines go; silent by default in tests. */
  log?: (line: string) => void;
}

/** Writes the region pack's divisions and IP ranges into the store (idempotent). */
async function seedRegions(store: Store, pack: RegionPack): Promise<void> {
  const have = await store.db.selectFrom('regions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (Number(have.n) === pack.regions.length) return;
  await store.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('regions').execute();
    await trx.deleteFrom('regionIpRanges').execute();
    const regions = pack.regions.map((r) => ({ code: r.code, name: r.name, level: r.level, parentCode: r.parentCode, provinceCode: r.provinceCode, cityCode: r.cityCode, countyCode: r.countyCode }));
    for (let i = 0; i < regions.length; i += chunkSize(store, 7)) await trx.insertInto('regions').values(regions.slice(i, i + chunkSize(store, 7))).execute();
    const ranges = pack.ipRanges.map((r) => ({
      startKey: ipKey(intToIpv4(r.start))!,
      endKey: ipKey(intToIpv4(r.end))!,
      provinceCode: pack.province.code,
      cityCode: r.cityCode,
      isp: r.isp,
    }));
    for (let i = 0; i < ranges.length; i += chunkSize(store, 5)) await trx.insertInto('regionIpRanges').values(ranges.slice(i, i + chunkSize(store, 5))).execute();
  });
}

export async function startPlatform(opts: StartOptions = {}): Promise<Platform> {
  const { pgSchema, dashboard = true, log = () => {}, ...overrides } = opts;
  const config = loadConfig(process.env, overrides);
  const regions = loadRegionPack(config.regionPackDir);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pgSchema });
  try {
    await seedRegions(store, regions);
    const ctx: ServiceContext = {
      config,
      store,
      regions,
      attribution: new Attribution(regions),
      matcher: new AdvisoryMatcher(),
      throttle: new LoginThrottle(),
      now: () => new Date(),
    };
    // Verification (复核) re-probes a warning's services through the platform's scan queue.
    ctx.reprober = scanReprober(ctx);
    ctx.attribution.load(await allNetworks(ctx));

    const advisories = await store.db.selectFrom('advisories').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(advisories.n) === 0) {
      const { imported, refused } = await importBundled(ctx, config.advisoryDir);
      log(`imported ${imported} bundled advisories${refused.length ? `, refused ${refused.length}` : ''}`);
    }
    log(`loaded ${await loadMatcher(ctx)} advisories into the matcher`);

    const admin = await ensureAdmin(ctx);
    const app = await buildApi(ctx, {
      version: VERSION,
      logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
      dashboard: dashboard ? await bundleDashboard() : undefined,
    });
    await app.listen({ host: config.host, port: config.port });
    const warningJobs = startWarningJobs(ctx, (e) => app.log.error({ err: e }, 'warning job failed'));
    const maintenance = startMaintenance(store, 60_000, (e) => app.log.error({ err: e }, 'storage maintenance failed'));
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      url: `http://${host}:${port}`,
      config,
      ctx,
      generatedAdminPassword: admin.generatedPassword,
      close: async () => {
        await warningJobs.stop();
        await maintenance.stop();
        await app.close();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
