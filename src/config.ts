// Typed configuration, parsed once from the environment (and an optional JSON file named by
// OTSCOPE_CONFIG). Nothing else in the code base reads process.env.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { appError } from './errors.ts';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** postgres://… ; null = SQLite file `otscope.sqlite` in dataDir. */
  databaseUrl: string | null;
  /** First-start password of user `admin`; null = generate one and print it once. */
  adminPassword: string | null;
  /** Folder of the region pack (divisions, boundaries, IP ranges). */
  regionPackDir: string;
  /** Folder of CSAF advisories imported on first start. */
  advisoryDir: string;
  /** Lifetime of a bearer token. */
  tokenTtlSeconds: number;
  /** Largest accepted request body. */
  bodyLimitBytes: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  /** SMTP relay for warning e-mail; null = no e-mail is sent. */
  smtpHost: string | null;
  smtpPort: number;
  /** true = TLS from the first byte (port 465); false = plain, upgraded by STARTTLS when offered. */
  smtpSecure: boolean;
  smtpFrom: string;
  /** Receiver of warning webhooks (JSON POST); null = none. */
  webhookUrl: string | null;
  /** HMAC-SHA256 key for the X-Otscope-Signature header; null = unsigned. */
  webhookSecret: string | null;
  /** Period of the warning job (overdue marking, escalation, verification sweep); 0 = never. */
  warningJobIntervalMs: number;
  /** Issuing office named on bulletins; null = the province's department of industry and IT. */
  bulletinOffice: string | null;
  /** File of CIDRs the platform may scan (its production scope); null = none configured. */
  scanScope: string | null;
  /** With no scan scope configured, `serve` runs the digital-twin demo (src/demo). */
  demo: boolean;
}

const ROOT = resolve(new URL('..', import.meta.url).pathname);

export const DEFAULTS: Config = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: './data',
  databaseUrl: null,
  adminPassword: null,
  regionPackDir: resolve(ROOT, 'reference/region'),
  advisoryDir: resolve(ROOT, 'reference/csaf'),
  tokenTtlSeconds: 12 * 3600,
  bodyLimitBytes: 16 * 1024 * 1024,
  logLevel: 'info',
  smtpHost: null,
  smtpPort: 25,
  smtpSecure: false,
  smtpFrom: 'otscope@localhost',
  webhookUrl: null,
  webhookSecret: null,
  warningJobIntervalMs: 60_000,
  bulletinOffice: null,
  scanScope: null,
  demo: true,
};

type Env = Record<string, string | undefined>;

function int(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw appError('CONFIG_INVALID', `${name} must be an integer in ${min}..${max}, got '${value}'`);
  return n;
}

function bool(name: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw appError('CONFIG_INVALID', `${name} must be true or false, got '${value}'`);
}

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  let file: Partial<Config> = {};
  if (env.OTSCOPE_CONFIG) {
    try {
      file = JSON.parse(readFileSync(env.OTSCOPE_CONFIG, 'utf8')) as Partial<Config>;
    } catch (e) {
      throw appError('CONFIG_INVALID', `cannot read OTSCOPE_CONFIG ${env.OTSCOPE_CONFIG}: ${(e as Error).message}`);
    }
  }
  const c: Config = { ...DEFAULTS, ...file };
  if (env.OTSCOPE_HOST) c.host = env.OTSCOPE_HOST;
  if (env.OTSCOPE_PORT) c.port = int('OTSCOPE_PORT', env.OTSCOPE_PORT, 0, 65535);
  if (env.OTSCOPE_DATA_DIR) c.dataDir = env.OTSCOPE_DATA_DIR;
  if (env.OTSCOPE_DATABASE_URL) c.databaseUrl = env.OTSCOPE_DATABASE_URL;
  if (env.OTSCOPE_ADMIN_PASSWORD) c.adminPassword = env.OTSCOPE_ADMIN_PASSWORD;
  if (env.OTSCOPE_REGION_PACK) c.regionPackDir = env.OTSCOPE_REGION_PACK;
  if (env.OTSCOPE_ADVISORY_DIR) c.advisoryDir = env.OTSCOPE_ADVISORY_DIR;
  if (env.OTSCOPE_TOKEN_TTL) c.tokenTtlSeconds = int('OTSCOPE_TOKEN_TTL', env.OTSCOPE_TOKEN_TTL, 60, 30 * 86400);
  if (env.OTSCOPE_LOG_LEVEL) c.logLevel = env.OTSCOPE_LOG_LEVEL as Config['logLevel'];
  if (env.OTSCOPE_SMTP_HOST) c.smtpHost = env.OTSCOPE_SMTP_HOST;
  if (env.OTSCOPE_SMTP_PORT) c.smtpPort = int('OTSCOPE_SMTP_PORT', env.OTSCOPE_SMTP_PORT, 1, 65535);
  if (env.OTSCOPE_SMTP_SECURE) c.smtpSecure = bool('OTSCOPE_SMTP_SECURE', env.OTSCOPE_SMTP_SECURE);
  if (env.OTSCOPE_SMTP_FROM) c.smtpFrom = env.OTSCOPE_SMTP_FROM;
  if (env.OTSCOPE_WEBHOOK_URL) c.webhookUrl = env.OTSCOPE_WEBHOOK_URL;
  if (env.OTSCOPE_WEBHOOK_SECRET) c.webhookSecret = env.OTSCOPE_WEBHOOK_SECRET;
  if (env.OTSCOPE_WARNING_JOB_INTERVAL_MS) c.warningJobIntervalMs = int('OTSCOPE_WARNING_JOB_INTERVAL_MS', env.OTSCOPE_WARNING_JOB_INTERVAL_MS, 0, 86_400_000);
  if (env.OTSCOPE_BULLETIN_OFFICE) c.bulletinOffice = env.OTSCOPE_BULLETIN_OFFICE;
  if (env.OTSCOPE_SCAN_SCOPE) c.scanScope = env.OTSCOPE_SCAN_SCOPE;
  if (env.OTSCOPE_DEMO) c.demo = bool('OTSCOPE_DEMO', env.OTSCOPE_DEMO);
  Object.assign(c, overrides);
  if (c.databaseUrl && !/^postgres(ql)?:\/\//.test(c.databaseUrl)) {
    throw appError('CONFIG_INVALID', 'OTSCOPE_DATABASE_URL must be a postgres:// URL');
  }
  if (c.webhookUrl && !/^https?:\/\//.test(c.webhookUrl)) {
    throw appError('CONFIG_INVALID', 'OTSCOPE_WEBHOOK_URL must be an http:// or https:// URL');
  }
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'silent'].includes(c.logLevel)) {
    throw appError('CONFIG_INVALID', `OTSCOPE_LOG_LEVEL '${c.logLevel}' is not a level`);
  }
  return c;
}
