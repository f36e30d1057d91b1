// `otscope serve`: the whole platform in one process (what `npm start` runs).
import { startPlatform } from '../main.ts';
import { isAppError } from '../errors.ts';
import { startDemo, type Demo } from '../demo/index.ts';

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`Usage: otscope serve

Runs the API, dashboard and engines in one process. Settings come from the environment:
  OTSCOPE_HOST (127.0.0.1)  OTSCOPE_PORT (8080)  OTSCOPE_DATA_DIR (./data)
  OTSCOPE_DATABASE_URL      postgres://… ; unset = SQLite file in the data dir
  OTSCOPE_ADMIN_PASSWORD    first-start password of user admin; unset = generated and printed once
  OTSCOPE_CONFIG            optional JSON file with the same settings
  OTSCOPE_LOG_LEVEL         fatal|error|warn|info|debug|silent (info)
  OTSCOPE_SMTP_HOST/_PORT/_SECURE/_FROM, OTSCOPE_WEBHOOK_URL/_SECRET   warning notifications
  OTSCOPE_WARNING_JOB_INTERVAL_MS, OTSCOPE_BULLETIN_OFFICE             warning jobs and bulletins
  OTSCOPE_SCAN_SCOPE        file of CIDRs the platform may scan; unset = run the demo below
  OTSCOPE_DEMO              true|false (true): with no scan scope, run a digital twin of ~2,000
                            devices on 127.16.0.0/12 and scan it, so the dashboard fills at once
See README.md for every setting.`);
    return 0;
  }
  try {
    const platform = await startPlatform({ log: (l) => console.log(`otscope: ${l}`) });
    if (platform.generatedAdminPassword) {
      console.log(`otscope: created user 'admin' with password: ${platform.generatedAdminPassword}`);
      console.log('otscope: (shown once; set OTSCOPE_ADMIN_PASSWORD to choose it yourself)');
    }
    console.log(`otscope: ${platform.ctx.store.dialect} storage; dashboard and API at ${platform.url}`);
    const { config } = platform;
    let demo: Demo | null = null;
    if (config.demo && !config.scanScope) {
      console.log('otscope: demo: a digital twin of the province on 127.16.0.0/12 is being scanned (OTSCOPE_DEMO=false turns this off)');
      demo = await startDemo(platform.ctx, { log: (l) => console.log(`otscope: ${l}`) });
    }
    const stop = async () => {
      await demo?.close();
      await platform.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return await new Promise<number>(() => {});
  } catch (e) {
    console.error(`otscope: cannot start: ${isAppError(e) ? `${e.code}: ${e.message}` : (e as Error).message}`);
    return 1;
  }
}
