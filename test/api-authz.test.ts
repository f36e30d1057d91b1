// The authorization matrix over HTTP, on every storage dialect: every endpoint × every principal ×
// objects inside and outside the principal's scope. The rules (DESIGN.md "Users and scope",
// src/access/roles.ts): access denies by default; "not found" and "no access" look the same (an
// out-of-scope object answers exactly what a missing one answers); lists and the overview show
// only what is in scope; writes outside scope are refused; a sensor may only ingest; an auditor
// reads everything and the audit log but writes nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Platform } from '../src/main.ts';
import { makeCreditCode } from '../src/model/credit-code.ts';
import { client, type Reply } from './support/api.ts';
import { dialectTargets, skipUnless } from './support/stores.ts';
import { ADMIN_PASSWORD, S7_200_SMART_ADVISORY, s7smart, startTestPlatform } from './support/platform.ts';

// The world every principal looks at. Three enterprises: two counties of 南昌市 and one county of
// 景德镇市, each with a registered network holding one Siemens S7-200 SMART on firmware V2.3.0
// (affected by ICSA-20-196-06), so each asset has one open finding and each enterprise one warning.
const ENTERPRISES = {
  A: { name: '南昌东湖测试化工有限公司', regionCode: '360102', cityCode: '360100', countyCode: '360102', cidr: '36.134.80.0/24' },
  C: { name: '南昌青山湖测试电力有限公司', regionCode: '360111', cityCode: '360100', countyCode: '360111', cidr: '36.134.81.0/24' },
  B: { name: '景德镇昌江测试陶瓷有限公司', regionCode: '360202', cityCode: '360200', countyCode: '360202', cidr: '59.63.0.0/24' },
} as const;
type EnterpriseKey = keyof typeof ENTERPRISES;
const ENTERPRISE_KEYS = Object.keys(ENTERPRISES) as EnterpriseKey[];

// Two more vulnerable assets outside every enterprise network: one placed only in its city by the
// region pack's IP ranges, one in a range the pack gives to the province but to no city
// (reference/region/jiangxi_ip_ranges.csv: 36.134.80.0–36.134.81.255 南昌市, 59.63.0.0–59.63.87.255
// 景德镇市, 36.192.195.0–36.192.199.255 江西省 with no city).
const ASSETS = {
  a: { ip: '36.134.80.10', cityCode: '360100', countyCode: '360102', enterprise: 'A' },
  c: { ip: '36.134.81.10', cityCode: '360100', countyCode: '360111', enterprise: 'C' },
  b: { ip: '59.63.0.10', cityCode: '360200', countyCode: '360202', enterprise: 'B' },
  j: { ip: '59.63.1.10', cityCode: '360200', countyCode: null, enterprise: null },
  p: { ip: '36.192.195.10', cityCode: null, countyCode: null, enterprise: null },
} as const;
type AssetKey = keyof typeof ASSETS;
const ASSET_KEYS = Object.keys(ASSETS) as AssetKey[];

// Warnings are issued to an enterprise by the regulator; the fixture moves A's and B's draft
// warnings to 'issued' in the store. C's stays a draft, which an enterprise user never sees. The
// step rows (POST /warnings/:id/…) name the warnings a principal may act on: of those, a step the
// warning's state allows succeeds (and the fixture puts the state back), the others answer 409.
const ISSUED: EnterpriseKey[] = ['A', 'B'];

const PRINCIPALS = ['admin', 'analyst', 'city', 'county', 'ent', 'auditor', 'sensor', 'anon', 'garbage', 'expired', 'disabled'] as const;
type Principal = (typeof PRINCIPALS)[number];

/** The users behind the principals that log in (admin is created by the platform itself). */
const USERS: Partial<Record<Principal, { role: string; regionCode?: string; enterprise?: EnterpriseKey }>> = {
  analyst: { role: 'province-analyst' },
  city: { role: 'city-analyst', regionCode: '360100' }, // 南昌市
  county: { role: 'county-analyst', regionCode: '360102' }, // 东湖区
  ent: { role: 'enterprise-user', enterprise: 'A' },
  auditor: { role: 'auditor' },
  sensor: { role: 'sensor' },
  disabled: { role: 'province-admin' }, // logged in, then disabled: would see everything if the flag were ignored
};

/**
 * One cell: a status every object of the endpoint answers, or the letters of the objects that
 * succeed. Letters name enterprises (A C B), their warnings (A C B), assets and their findings
 * (a c b j p); for POST /enterprises they name the enterprise's county (A = 东湖区, C = 青山湖区,
 * B = 昌江区), where the principal may create an enterprise. Every object not named answers
 * exactly like a missing one (404 NOT_FOUND), or, for POST /enterprises, 403 FORBIDDEN.
 */
type Cell = number | string;

// prettier-ignore
const MATRIX: Record<string, Record<Principal, Cell>> = {
  //                               admin     analyst   city    county  ent     auditor   sensor  anon  garbage expired disabled
  'GET /auth/me':                  row(200,      200,      200,    200,    200,    200,      200,    401,  401,    401,    401),
  'GET /regions':                  row(200,      200,      200,    200,    200,    200,      403,    401,  401,    401,    401),
  'GET /regions/geo/city':         row(200,      200,      200,    200,    200,    200,      403,    401,  401,    401,    401),
  'GET /advisories/:id':           row(200,      200,      200,    200,    200,    200,      403,    401,  401,    401,    401),
  'GET /enterprises':              row('ACB',    'ACB',    'AC',   'A',    'A',    'ACB',    403,    401,  401,    401,    401),
  'GET /enterprises/:id':          row('ACB',    'ACB',    'AC',   'A',    'A',    'ACB',    403,    401,  401,    401,    401),
  'GET /enterprises/:id/networks': row('ACB',    'ACB',    'AC',   'A',    'A',    'ACB',    403,    401,  401,    401,    401),
  'GET /assets':                   row('acbjp',  'acbjp',  'ac',   'a',    'a',    'acbjp',  403,    401,  401,    401,    401),
  // walked with cursors, and with cursors the admin was given: scope is applied again on every page
  'GET /assets?cursor':            row('acbjp',  'acbjp',  'ac',   'a',    'a',    'acbjp',  403,    401,  401,    401,    401),
  'GET /findings':                 row('acbjp',  'acbjp',  'ac',   'a',    'a',    'acbjp',  403,    401,  401,    401,    401),
  'GET /warnings':                 row('ACB',    'ACB',    'AC',   'A',    'A',    'ACB',    403,    401,  401,    401,    401),
  'GET /warnings/:id':             row('ACB',    'ACB',    'AC',   'A',    'A',    'ACB',    403,    401,  401,    401,    401),
  'GET /warnings/:id/bulletin.docx':row('ACB',   'ACB',    'AC',   'A',    'A',    'ACB',    403,    401,  401,    401,    401),
  'GET /stats/overview':           row('acbjp',  'acbjp',  'ac',   'a',    'a',    'acbjp',  403,    401,  401,    401,    401),
  'GET /audit':                    row(200,      403,      403,    403,    403,    200,      403,    401,  401,    401,    401),
  'GET /risk/assets':              row('acbjp',  'acbjp',  'ac',   'a',    'a',    'acbjp',  403,    401,  401,    401,    401),
  'GET /risk/assets/:id':          row('acbjp',  'acbjp',  'ac',   'a',    'a',    'acbjp',  403,    401,  401,    401,    401),
  'GET /risk/enterprises/:id':     row('ACB',    'ACB',    'AC',   'A',    'A',    'ACB',    403,    401,  401,    401,    401),
  // letters name the enterprise's county (A = 东湖区 …); an enterprise user sees no region as a whole
  'GET /risk/regions/:code':       row('ACB',    'ACB',    'AC',   'A',    404,    'ACB',    403,    401,  401,    401,    401),
  'GET /stats/regions/:code':      row('ACB',    'ACB',    'AC',   'A',    404,    'ACB',    403,    401,  401,    401,    401),
  'POST /enterprises':             row('ACB',    'ACB',    'AC',   'A',    403,    403,      403,    401,  401,    401,    401),
  'POST /enterprises/:id/networks':row('ACB',    'ACB',    'AC',   'A',    403,    403,      403,    401,  401,    401,    401),
  'POST /observations':            row(200,      200,      403,    403,    403,    403,      200,    401,  401,    401,    401),
  'POST /advisories':              row(200,      200,      403,    403,    403,    403,      403,    401,  401,    401,    401),
  // Platform scans of a loopback port where nothing listens. A city or county analyst may scan only
  // its region's addresses, so its loopback target is refused before anything is queued; scans
  // made by province users are not in a city's or county's scope.
  'POST /scans':                   row(201,      201,      403,    403,    403,    403,      403,    401,  401,    401,    401),
  'GET /scans':                    row(200,      200,      200,    200,    403,    200,      403,    401,  401,    401,    401),
  'GET /scans/:id':                row(200,      200,      404,    404,    403,    200,      403,    401,  401,    401,    401),
  'POST /scans/:id/cancel':        row(200,      200,      404,    404,    403,    403,      403,    401,  401,    401,    401),
  // Honeypot events come from attackers at the assets' addresses (a c b j p), so each is placed as
  // its asset is. They are posted before they are read: these rows follow the overview's.
  'POST /honeypot/events':         row(200,      200,      403,    403,    403,    403,      200,    401,  401,    401,    401),
  'GET /honeypot/events':          row('acbjp',  'acbjp',  'ac',   'a',    'a',    'acbjp',  403,    401,  401,    401,    401),
  'GET /honeypot/sources':         row('acbjp',  'acbjp',  'ac',   'a',    'a',    'acbjp',  403,    401,  401,    401,    401),
  'GET /honeypot/activity':        row('acbjp',  'acbjp',  'ac',   'a',    'a',    'acbjp',  403,    401,  401,    401,    401),
  'GET /honeypot/sources/:ip':     row('acbjp',  'acbjp',  'ac',   'a',    'a',    'acbjp',  403,    401,  401,    401,    401),
  'POST /warnings/:id/issue':      row('ACB',    'ACB',    'AC',   'A',    403,    403,      403,    401,  401,    401,    401),
  'POST /warnings/:id/acknowledge':row(403,      403,      403,    403,    'A',    403,      403,    401,  401,    401,    401),
  'POST /users':                   row(201,      403,      403,    403,    403,    403,      403,    401,  401,    401,    401),
  'POST /auth/logout':             row(204,      204,      204,    204,    204,    204,      204,    401,  401,    401,    401),
};

function row(...cells: Cell[]): Record<Principal, Cell> {
  assert.equal(cells.length, PRINCIPALS.length);
  return Object.fromEntries(PRINCIPALS.map((p, i) => [p, cells[i]])) as Record<Principal, Cell>;
}

// Writes whose target is in scope but whose effect would reach past it: registering a network
// re-attributes every asset already seen inside it, so a network over another region's asset
// would move that asset into the actor's scope. They must be refused.
const REACH: { principal: Principal; enterprise: EnterpriseKey; cidr: string; foreign: AssetKey }[] = [
  { principal: 'city', enterprise: 'A', cidr: '59.63.1.0/24', foreign: 'j' }, // 景德镇市's asset into 南昌市
  { principal: 'county', enterprise: 'A', cidr: '36.134.81.10/32', foreign: 'c' }, // 青山湖区's asset into 东湖区
];

const MISSING_ID = '01JZZZZZZZZZZZZZZZZZZZZZZZ';

/** One attacker session against a honeypot from `ip`: connect, a register read, a register write. */
const HONEYPOT_PER_SOURCE = 3;
function honeypotEvents(ip: string) {
  const base = { sensor: 'hp-authz', persona: 'schneider-m221-tm221ce24r', session: `s-${ip}`, src: { ip, port: 40000 }, dst: { ip: '127.77.0.1', port: 502 }, protocol: 'modbus', transport: 'tcp', anomalies: [] };
  return [
    { ...base, seq: 0, at: '2026-06-01T08:00:00.000Z', elapsedMs: 0, operation: 'connect', detail: 'tcp connect', length: 0, raw: '' },
    { ...base, seq: 1, at: '2026-06-01T08:00:00.010Z', elapsedMs: 10, operation: 'read', detail: 'Read Holding Registers 0+2', length: 12, raw: '000100000006010300000002' },
    { ...base, seq: 2, at: '2026-06-01T08:00:00.020Z', elapsedMs: 20, operation: 'write', detail: 'Write Single Register 0', length: 12, raw: '000200000006010600002a2a' },
  ];
}
const ADVISORY_ID = 'ICSA-20-196-06';
/** A platform scan that sends one SYN to a loopback port nobody listens on (127.0.0.1 stands for no public address, so for no region). */
const QUIET_SCAN = { targets: ['127.0.0.1/32'], ports: 'modbus:1' };
const REGION_OF: Record<EnterpriseKey, string> = { A: '360102', C: '360111', B: '360202' };
const NOT_FOUND_BODY = { error: { code: 'NOT_FOUND', message: 'No such object' } };
const CODE_OF_STATUS: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };

const sorted = (s: Iterable<string>) => [...s].sort().join('');
const letters = (cell: Cell) => (typeof cell === 'string' ? cell : '');

for (const target of dialectTargets()) {
  describe(`authorization matrix on ${target.name}`, async () => {
    const skip = await skipUnless(target);
    let platform: Platform;
    let api: ReturnType<typeof client>;
    const token: Partial<Record<Principal, string>> = {};
    const password: Partial<Record<Principal, string>> = {};
    const username: Partial<Record<Principal, string>> = {};
    const enterpriseId = {} as Record<EnterpriseKey, string>;
    const warningId = {} as Record<EnterpriseKey, string>;
    const creditCode = {} as Record<EnterpriseKey, string>;
    let serial = 0;
    const freshCreditCode = (region: string) => makeCreditCode(`91${region}${String(++serial).padStart(4, '0')}`);
    const db = () => platform.ctx.store.db;
    const count = async (table: 'enterprises' | 'enterpriseNetworks' | 'users' | 'observations' | 'auditLog') =>
      Number((await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

    before(async () => {
      if (skip) return;
      platform = await startTestPlatform(target);
      api = client(platform.url);
      const admin = await api.login('admin', ADMIN_PASSWORD);
      token.admin = admin;
      for (const k of ENTERPRISE_KEYS) {
        const e = ENTERPRISES[k];
        creditCode[k] = freshCreditCode(e.regionCode);
        const r = await api.post('/api/v1/enterprises', { name: e.name, creditCode: creditCode[k], industryCode: 'C2614', regionCode: e.regionCode }, admin);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        enterpriseId[k] = r.body.id;
        const n = await api.post(`/api/v1/enterprises/${r.body.id}/networks`, { cidr: e.cidr }, admin);
        assert.equal(n.status, 201, JSON.stringify(n.body));
      }
      const ingest = await api.post('/api/v1/observations', { observations: ASSET_KEYS.map((k) => s7smart(ASSETS[k].ip)) }, admin);
      assert.deepEqual([ingest.status, ingest.body.accepted, ingest.body.rejected], [200, ASSET_KEYS.length, []], JSON.stringify(ingest.body));
      await db().updateTable('warnings').set({ state: 'issued' }).where('enterpriseId', 'in', ISSUED.map((k) => enterpriseId[k])).execute();
      for (const k of ENTERPRISE_KEYS) warningId[k] = (await db().selectFrom('warnings').select('id').where('enterpriseId', '=', enterpriseId[k]).executeTakeFirstOrThrow()).id;

      for (const [p, u] of Object.entries(USERS) as [Principal, NonNullable<(typeof USERS)[Principal]>][]) {
        username[p] = `${p}-${target.name}`;
        password[p] = `${p}-pass-${randomBytes(6).toString('hex')}`;
        const body = { username: username[p], password: password[p], role: u.role, ...(u.regionCode ? { regionCode: u.regionCode } : {}), ...(u.enterprise ? { enterpriseId: enterpriseId[u.enterprise] } : {}) };
        const r = await api.post('/api/v1/users', body, admin);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        token[p] = await api.login(username[p]!, password[p]!);
      }
      await db().updateTable('users').set({ disabled: 1 }).where('username', '=', username.disabled!).execute();
      token.garbage = randomBytes(32).toString('base64url');
      // An expired session of the admin: the row the platform would have written a day ago.
      token.expired = randomBytes(32).toString('base64url');
      const adminRow = await db().selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
      const yesterday = Date.now() - 86_400_000;
      await db()
        .insertInto('sessions')
        .values({ tokenHash: createHash('sha256').update(token.expired).digest('hex'), userId: adminRow.id, createdAt: new Date(yesterday - 3_600_000).toISOString(), expiresAt: new Date(yesterday).toISOString() })
        .execute();
    });
    after(async () => {
      if (skip) return;
      await platform.close();
      await target.cleanup();
    });

    /** The answer of a refused request: the status and the stable code for it. */
    function refused(r: Reply, status: number, what: string) {
      assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body).slice(0, 300)}`);
      assert.equal(r.body?.error?.code, CODE_OF_STATUS[status], `${what}: ${JSON.stringify(r.body).slice(0, 300)}`);
      assert.equal(typeof r.body.error.message, 'string');
    }

    const get = (path: string, p: Principal) => api.get(path, token[p]);
    const post = (path: string, body: unknown, p: Principal) => api.post(path, body, token[p]);

    // ---- lists: the exact set, the total, paging, and filters aimed at every object
    type Kind = 'enterprises' | 'assets' | 'findings' | 'warnings';
    const keyOf: Record<Kind, (item: any) => string> = {
      enterprises: (e) => ENTERPRISE_KEYS.find((k) => enterpriseId[k] === e.id) ?? '?',
      assets: (a) => ASSET_KEYS.find((k) => ASSETS[k].ip === a.ip) ?? '?',
      findings: (f) => ASSET_KEYS.find((k) => ASSETS[k].ip === f.ip) ?? '?',
      warnings: (w) => ENTERPRISE_KEYS.find((k) => enterpriseId[k] === w.enterpriseId) ?? '?',
    };

    /** Filters that single out objects, each with the objects it matches when nothing is out of scope. */
    function probes(kind: Kind): { query: string; matches: string }[] {
      const byEnterprise = (k: EnterpriseKey) => `enterprise=${enterpriseId[k]}`;
      const assetsWhere = (f: (a: (typeof ASSETS)[AssetKey]) => boolean) => sorted(ASSET_KEYS.filter((k) => f(ASSETS[k])));
      const regions = ['360000', '360100', '360200', '360102', '360111', '360202', '360300'];
      switch (kind) {
        case 'assets':
          return [
            ...regions.map((r) => ({ query: `region=${r}`, matches: assetsWhere((a) => r === '360000' || a.cityCode === r || a.countyCode === r) })),
            ...ENTERPRISE_KEYS.map((k) => ({ query: byEnterprise(k), matches: assetsWhere((a) => a.enterprise === k) })),
            ...ASSET_KEYS.map((k) => ({ query: `q=${ASSETS[k].ip}`, matches: k })),
            { query: 'vendor=Siemens', matches: sorted(ASSET_KEYS) },
            { query: 'q=S7-200', matches: sorted(ASSET_KEYS) },
            { query: 'protocol=s7comm', matches: sorted(ASSET_KEYS) },
            { query: 'protocol=modbus', matches: '' },
          ];
        case 'findings':
          return [
            ...ASSET_KEYS.map((k) => ({ query: `ip=${ASSETS[k].ip}`, matches: k })),
            ...ENTERPRISE_KEYS.map((k) => ({ query: byEnterprise(k), matches: assetsWhere((a) => a.enterprise === k) })),
            { query: 'cve=CVE-2020-7584', matches: sorted(ASSET_KEYS) },
            { query: 'status=fixed', matches: '' },
          ];
        case 'warnings':
          return [
            ...ENTERPRISE_KEYS.map((k) => ({ query: byEnterprise(k), matches: k })),
            { query: 'state=issued', matches: sorted(ISSUED) },
            { query: 'state=draft', matches: sorted(ENTERPRISE_KEYS.filter((k) => !ISSUED.includes(k))) },
          ];
        case 'enterprises':
          return [
            ...regions.map((r) => ({ query: `region=${r}`, matches: sorted(ENTERPRISE_KEYS.filter((k) => r === '360000' || ENTERPRISES[k].cityCode === r || ENTERPRISES[k].countyCode === r)) })),
            ...ENTERPRISE_KEYS.map((k) => ({ query: `q=${encodeURIComponent(ENTERPRISES[k].name)}`, matches: k })),
            ...ENTERPRISE_KEYS.map((k) => ({ query: `q=${creditCode[k]}`, matches: k })),
          ];
      }
    }

    async function checkList(kind: Kind, p: Principal, cell: Cell) {
      const path = `/api/v1/${kind}`;
      if (typeof cell === 'number') {
        refused(await get(path, p), cell, `${p} GET ${path}`);
        refused(await get(`${path}?pageSize=500`, p), cell, `${p} GET ${path}?pageSize=500`);
        return;
      }
      const seen = async (query: string) => {
        const r = await get(`${path}?${query}`, p);
        assert.equal(r.status, 200, `${p} GET ${path}?${query}: ${JSON.stringify(r.body)}`);
        return { keys: sorted(r.body.items.map(keyOf[kind])), total: r.body.total as number };
      };
      const all = await seen('pageSize=500');
      assert.equal(all.keys, sorted(cell), `${p} GET ${path} shows the wrong set`);
      assert.equal(all.total, cell.length, `${p} GET ${path} total`);
      // Page by page the same set, and the same total on every page.
      const paged: string[] = [];
      for (let page = 1; page <= Math.ceil(cell.length / 2) + 1; page++) {
        const r = await seen(`pageSize=2&page=${page}`);
        assert.equal(r.total, cell.length, `${p} GET ${path} page ${page} total`);
        paged.push(...r.keys);
      }
      assert.equal(sorted(paged), sorted(cell), `${p} GET ${path} pages`);
      for (const probe of probes(kind)) {
        const expected = sorted([...probe.matches].filter((k) => cell.includes(k)));
        const r = await seen(`${probe.query}&pageSize=500`);
        assert.equal(r.keys, expected, `${p} GET ${path}?${probe.query} shows the wrong set`);
        assert.equal(r.total, expected.length, `${p} GET ${path}?${probe.query} total`);
      }
    }

    /**
     * The asset list walked by cursor, forwards and back, gives the principal's exact set in address
     * order with its own total on every page; the admin's cursors, replayed by the principal, start
     * at the admin's position but show only what the principal may see.
     */
    async function checkAssetCursors(p: Principal, cell: Cell) {
      const walk = async (who: Principal, pageSize: number, query = '') => {
        const pages: { keys: string[]; total: number; nextCursor: string | null; prevCursor: string | null }[] = [];
        let cursor: string | null = null;
        do {
          const r = await get(`/api/v1/assets?pageSize=${pageSize}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, who);
          assert.equal(r.status, 200, `${who} asset walk: ${JSON.stringify(r.body).slice(0, 300)}`);
          pages.push({ keys: r.body.items.map(keyOf.assets), total: r.body.total, nextCursor: r.body.nextCursor, prevCursor: r.body.prevCursor });
          cursor = r.body.nextCursor;
          assert.ok(pages.length <= ASSET_KEYS.length + 1, `${who}: the walk does not end`);
        } while (cursor);
        return pages;
      };
      const admin = await walk('admin', 1);
      const order = admin.flatMap((pg) => pg.keys); // every asset, in the list's order
      assert.equal(order.join(''), 'acpbj', 'assets are listed by address');
      if (typeof cell === 'number') {
        refused(await get(`/api/v1/assets?cursor=${encodeURIComponent(admin[0].nextCursor!)}`, p), cell, `${p} GET /assets with a cursor`);
        refused(await get('/api/v1/assets?cursor=not-a-cursor', p), cell, `${p} GET /assets with a bad cursor`);
        return;
      }
      const mine = order.filter((k) => cell.includes(k));
      const forward = await walk(p, 2);
      assert.equal(forward.flatMap((pg) => pg.keys).join(''), mine.join(''), `${p} cursor walk shows the wrong assets`);
      for (const pg of forward) assert.equal(pg.total, mine.length, `${p} cursor walk total`);
      assert.equal(forward[0].prevCursor, null, `${p}: the first page has no previous page`);
      assert.equal(forward.at(-1)!.nextCursor, null, `${p}: the last page has no next page`);
      // Backwards from the last page, page by page, to the first.
      const back: string[][] = [];
      for (let cursor = forward.at(-1)!.prevCursor; cursor; ) {
        const r = await get(`/api/v1/assets?pageSize=2&cursor=${encodeURIComponent(cursor)}`, p);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.total, mine.length, `${p} backward page total`);
        back.unshift(r.body.items.map(keyOf.assets));
        cursor = r.body.prevCursor;
        assert.ok(back.length <= ASSET_KEYS.length, `${p}: the backward walk does not end`);
      }
      assert.deepEqual(back, forward.slice(0, -1).map((pg) => pg.keys), `${p} backward pages differ from the forward ones`);
      // The admin's cursors at every asset, in both directions, replayed by this principal.
      for (const [i, pg] of admin.entries()) {
        for (const [which, cursor, expected] of [
          ['next', pg.nextCursor, order.slice(i + 1)],
          ['prev', pg.prevCursor, order.slice(0, i)],
        ] as const) {
          if (!cursor) continue;
          const r = await get(`/api/v1/assets?pageSize=500&cursor=${encodeURIComponent(cursor)}`, p);
          assert.equal(r.status, 200, JSON.stringify(r.body));
          assert.equal(r.body.items.map(keyOf.assets).join(''), expected.filter((k) => cell.includes(k)).join(''), `${p} replaying the admin's ${which} cursor after ${order[i]}`);
          assert.equal(r.body.total, mine.length, `${p} total with the admin's cursor`);
        }
      }
      // A cursor belongs to its filters: replayed with other filters it is refused, not reinterpreted.
      const cityCursor = (await get('/api/v1/assets?pageSize=1&region=360100', 'admin')).body.nextCursor;
      const r = await get(`/api/v1/assets?pageSize=1&region=360200&cursor=${encodeURIComponent(cityCursor)}`, p);
      assert.deepEqual([r.status, r.body?.error?.code], [400, 'INVALID_CURSOR'], `${p} a cursor with other filters`);
    }

    /** An object endpoint over every enterprise and a missing id: the named ones succeed, the rest look missing. */
    async function checkPerEnterprise(p: Principal, cell: Cell, what: string, call: (id: string, k: EnterpriseKey | null) => Promise<Reply>, ok: (r: Reply, k: EnterpriseKey) => void | Promise<void>) {
      const missing = await call(MISSING_ID, null);
      if (typeof cell === 'number') refused(missing, cell, `${p} ${what} on a missing id`);
      else assert.deepEqual([missing.status, missing.body], [404, NOT_FOUND_BODY], `${p} ${what} on a missing id`);
      for (const k of ENTERPRISE_KEYS) {
        const r = await call(enterpriseId[k], k);
        if (typeof cell === 'number') {
          refused(r, cell, `${p} ${what} on ${k}`);
          assert.deepEqual(r.body, missing.body, `${p} ${what}: ${k} answers unlike a missing id`);
        } else if (cell.includes(k)) {
          await ok(r, k);
        } else {
          assert.deepEqual([r.status, r.body], [missing.status, missing.body], `${p} ${what}: out-of-scope ${k} answers unlike a missing id`);
        }
      }
    }

    /**
     * A step of the warning loop over every enterprise's warning and a missing id. Named warnings in
     * a state the step leaves (`from`) succeed and are put back; other named ones answer 409; the
     * rest look missing. Nothing is written by a refused step.
     */
    async function checkStep(p: Principal, cell: Cell, step: string, from: EnterpriseKey[], body: object) {
      const transitions = () => db().selectFrom('warningTransitions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n));
      await checkPerEnterprise(
        p,
        typeof cell === 'number' ? cell : sorted([...cell].filter((k) => from.includes(k as EnterpriseKey))),
        `POST /warnings/:id/${step}`,
        async (id, k) => {
          const [before, stateBefore] = [await transitions(), k ? (await db().selectFrom('warnings').select('state').where('id', '=', warningId[k]).executeTakeFirstOrThrow()).state : null];
          const r = await post(`/api/v1/warnings/${k ? warningId[k] : id}/${step}`, body, p);
          assert.equal(await transitions(), before + (r.status === 200 ? 1 : 0), `${p} ${step} on ${k ?? 'a missing id'} wrote a transition`);
          if (k && r.status === 200) await db().updateTable('warnings').set({ state: stateBefore! }).where('id', '=', warningId[k]).execute();
          if (k && typeof cell === 'string' && cell.includes(k) && !from.includes(k)) {
            assert.deepEqual([r.status, r.body?.error?.code], [409, 'INVALID_TRANSITION'], `${p} ${step} on ${k} in the wrong state`);
            return { status: 404, body: NOT_FOUND_BODY } as Reply;
          }
          return r;
        },
        (r, k) => {
          assert.equal(r.status, 200, JSON.stringify(r.body));
          assert.equal(r.body.id, warningId[k]);
        },
      );
    }

    async function checkOverview(p: Principal, cell: Cell) {
      const r = await get('/api/v1/stats/overview', p);
      if (typeof cell === 'number') return refused(r, cell, `${p} GET /stats/overview`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const assets = [...cell] as AssetKey[];
      const enterprises = letters(MATRIX['GET /enterprises'][p]);
      const warnings = letters(MATRIX['GET /warnings'][p]);
      const n = assets.length;
      // Every asset of the fixture is vulnerable with one open finding; warnings are not resolved.
      assert.deepEqual(r.body.totals, { assets: n, vulnerableAssets: n, findings: n, events: n, enterprises: enterprises.length, openWarnings: warnings.length }, `${p} overview totals`);
      assert.equal(r.body.cities.length, 11);
      for (const c of r.body.cities) {
        const here = assets.filter((k) => ASSETS[k].cityCode === c.code).length;
        assert.deepEqual([c.assets, c.vulnerableAssets, c.events], [here, here, here], `${p} overview city ${c.code}`);
      }
      assert.deepEqual(r.body.protocols, n ? [{ protocol: 's7comm', assets: n }] : [], `${p} overview protocols`);
      assert.deepEqual(r.body.vendors, n ? [{ vendor: 'Siemens', assets: n }] : [], `${p} overview vendors`);
    }

    const scanIds: string[] = [];
    async function settled(id: string): Promise<Reply> {
      for (let i = 0; i < 400; i++) {
        const r = await get(`/api/v1/scans/${id}`, 'admin');
        if (['finished', 'failed', 'cancelled'].includes(r.body.state)) return r;
        await new Promise((res) => setTimeout(res, 25));
      }
      assert.fail(`scan ${id} did not finish`);
    }

    const csaf = JSON.parse(readFileSync(new URL(`../reference/csaf/${S7_200_SMART_ADVISORY}`, import.meta.url), 'utf8'));

    const CHECKS: Record<string, (p: Principal, cell: Cell) => Promise<void>> = {
      async 'GET /auth/me'(p, cell) {
        const r = await get('/api/v1/auth/me', p);
        if (cell !== 200) return refused(r, cell as number, `${p} GET /auth/me`);
        assert.equal(r.status, 200);
        assert.equal(r.body.role, p === 'admin' ? 'province-admin' : USERS[p]!.role);
      },
      async 'GET /regions'(p, cell) {
        const r = await get('/api/v1/regions', p);
        if (cell !== 200) return refused(r, cell as number, `${p} GET /regions`);
        assert.equal(r.status, 200);
        assert.ok(r.body.items.some((x: { code: string }) => x.code === '360202'));
      },
      async 'GET /regions/geo/city'(p, cell) {
        const r = await get('/api/v1/regions/geo/city', p);
        if (cell !== 200) return refused(r, cell as number, `${p} GET /regions/geo/city`);
        assert.equal(r.status, 200);
        assert.equal(r.body.type, 'FeatureCollection');
      },
      async 'GET /advisories/:id'(p, cell) {
        const known = await get(`/api/v1/advisories/${ADVISORY_ID}`, p);
        const missing = await get('/api/v1/advisories/ICSA-99-999-99', p);
        if (cell !== 200) {
          refused(known, cell as number, `${p} GET a known advisory`);
          assert.deepEqual(missing.body, known.body, `${p}: a missing advisory answers unlike a known one`);
          return;
        }
        assert.equal(known.status, 200);
        assert.equal(known.body.id, ADVISORY_ID);
        assert.deepEqual([missing.status, missing.body], [404, NOT_FOUND_BODY]);
      },
      'GET /enterprises': (p, cell) => checkList('enterprises', p, cell),
      'GET /assets': (p, cell) => checkList('assets', p, cell),
      'GET /assets?cursor': checkAssetCursors,
      'GET /findings': (p, cell) => checkList('findings', p, cell),
      'GET /warnings': (p, cell) => checkList('warnings', p, cell),
      'GET /stats/overview': checkOverview,
      'GET /enterprises/:id': (p, cell) =>
        checkPerEnterprise(p, cell, 'GET /enterprises/:id', (id) => get(`/api/v1/enterprises/${id}`, p), (r, k) => {
          assert.equal(r.status, 200, JSON.stringify(r.body));
          assert.deepEqual([r.body.id, r.body.creditCode, r.body.cityCode], [enterpriseId[k], creditCode[k], ENTERPRISES[k].cityCode]);
        }),
      'GET /enterprises/:id/networks': (p, cell) =>
        checkPerEnterprise(p, cell, 'GET /enterprises/:id/networks', (id) => get(`/api/v1/enterprises/${id}/networks`, p), (r, k) => {
          assert.equal(r.status, 200, JSON.stringify(r.body));
          assert.deepEqual(r.body.items.map((n: { cidr: string }) => n.cidr), [ENTERPRISES[k].cidr]);
        }),
      'GET /warnings/:id': (p, cell) =>
        checkPerEnterprise(p, cell, 'GET /warnings/:id', (id, k) => get(`/api/v1/warnings/${k ? warningId[k] : id}`, p), (r, k) => {
          assert.equal(r.status, 200, JSON.stringify(r.body));
          assert.deepEqual([r.body.id, r.body.enterpriseId, r.body.findings.length], [warningId[k], enterpriseId[k], 1]);
        }),
      'GET /warnings/:id/bulletin.docx': (p, cell) =>
        checkPerEnterprise(p, cell, 'GET /warnings/:id/bulletin.docx', (id, k) => get(`/api/v1/warnings/${k ? warningId[k] : id}/bulletin.docx`, p), (r) => {
          assert.equal(r.status, 200);
          assert.ok(String(r.body).startsWith('PK'), 'not a ZIP (DOCX) file');
        }),
      'POST /warnings/:id/issue': (p, cell) => checkStep(p, cell, 'issue', ['C'], {}),
      'POST /warnings/:id/acknowledge': (p, cell) => checkStep(p, cell, 'acknowledge', ISSUED, { note: `${p} 签收` }),
      async 'GET /risk/assets'(p, cell) {
        const r = await get('/api/v1/risk/assets?limit=100', p);
        if (typeof cell === 'number') return refused(r, cell, `${p} GET /risk/assets`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(sorted(r.body.items.map((a: { ip: string }) => ASSET_KEYS.find((k) => ASSETS[k].ip === a.ip) ?? '?')), sorted(cell), `${p} GET /risk/assets shows the wrong set`);
        assert.equal(r.body.total, cell.length);
      },
      async 'GET /risk/assets/:id'(p, cell) {
        const missing = await get(`/api/v1/risk/assets/${MISSING_ID}`, p);
        if (typeof cell === 'number') refused(missing, cell, `${p} GET /risk/assets/:id on a missing id`);
        else assert.deepEqual([missing.status, missing.body], [404, NOT_FOUND_BODY]);
        for (const k of ASSET_KEYS) {
          const { id } = await db().selectFrom('assets').select('id').where('ip', '=', ASSETS[k].ip).executeTakeFirstOrThrow();
          const r = await get(`/api/v1/risk/assets/${id}`, p);
          if (typeof cell === 'string' && cell.includes(k)) {
            assert.equal(r.status, 200, JSON.stringify(r.body));
            assert.deepEqual([r.body.assetId, r.body.ip, r.body.openFindings], [id, ASSETS[k].ip, 1]);
          } else assert.deepEqual([r.status, r.body], [missing.status, missing.body], `${p} GET /risk/assets/:id: ${k} answers unlike a missing id`);
        }
      },
      'GET /risk/enterprises/:id': (p, cell) =>
        checkPerEnterprise(p, cell, 'GET /risk/enterprises/:id', (id) => get(`/api/v1/risk/enterprises/${id}`, p), (r, k) => {
          assert.equal(r.status, 200, JSON.stringify(r.body));
          assert.deepEqual([r.body.enterpriseId, r.body.assets, r.body.worstAssets.length], [enterpriseId[k], 1, 1]);
        }),
      async 'GET /risk/regions/:code'(p, cell) {
        const missing = await get('/api/v1/risk/regions/999999', p);
        if (typeof cell === 'number') refused(missing, cell, `${p} GET /risk/regions/:code on an unknown code`);
        else assert.deepEqual([missing.status, missing.body], [404, NOT_FOUND_BODY]);
        for (const k of ENTERPRISE_KEYS) {
          const r = await get(`/api/v1/risk/regions/${REGION_OF[k]}`, p);
          if (typeof cell === 'string' && cell.includes(k)) {
            assert.equal(r.status, 200, JSON.stringify(r.body));
            assert.deepEqual([r.body.code, r.body.assets, r.body.vulnerableAssets], [REGION_OF[k], 1, 1]);
          } else assert.deepEqual([r.status, r.body], [missing.status, missing.body], `${p} GET /risk/regions/${REGION_OF[k]} answers unlike an unknown code`);
        }
      },
      async 'GET /stats/regions/:code'(p, cell) {
        const missing = await get('/api/v1/stats/regions/999999', p);
        if (typeof cell === 'number') refused(missing, cell, `${p} GET /stats/regions/:code on an unknown code`);
        else assert.deepEqual([missing.status, missing.body], [404, NOT_FOUND_BODY]);
        for (const k of ENTERPRISE_KEYS) {
          const r = await get(`/api/v1/stats/regions/${REGION_OF[k]}`, p);
          if (typeof cell === 'string' && cell.includes(k)) {
            assert.equal(r.status, 200, JSON.stringify(r.body));
            assert.deepEqual([r.body.code, r.body.assets, r.body.vulnerableAssets, r.body.protocols], [REGION_OF[k], 1, 1, { s7comm: 1 }]);
          } else assert.deepEqual([r.status, r.body], [missing.status, missing.body], `${p} GET /stats/regions/${REGION_OF[k]} answers unlike an unknown code`);
        }
      },
      async 'POST /scans'(p, cell) {
        const before = Number((await db().selectFrom('scans').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        const r = await post('/api/v1/scans', QUIET_SCAN, p);
        if (cell !== 201) {
          refused(r, cell as number, `${p} POST /scans`);
          if (p === 'city' || p === 'county') assert.match(r.body.error.message, /^REGION_DENIED: target 127\.0\.0\.1\/32/);
          assert.equal(Number((await db().selectFrom('scans').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n), before, `${p} POST /scans queued a scan`);
          return;
        }
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.equal(r.body.state, 'queued');
        scanIds.push(r.body.id);
        assert.equal((await settled(r.body.id)).body.state, 'finished');
      },
      async 'GET /scans'(p, cell) {
        const r = await get('/api/v1/scans', p);
        if (cell !== 200) return refused(r, cell as number, `${p} GET /scans`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const expected = p === 'city' || p === 'county' ? [] : [...scanIds].sort();
        assert.deepEqual(r.body.items.map((s: { id: string }) => s.id).sort(), expected, `${p} GET /scans shows the wrong set`);
        assert.equal(r.body.total, expected.length);
      },
      async 'GET /scans/:id'(p, cell) {
        const missing = await get(`/api/v1/scans/${MISSING_ID}`, p);
        if (typeof cell === 'number' && cell !== 200 && cell !== 404) refused(missing, cell, `${p} GET /scans/:id on a missing id`);
        else assert.deepEqual([missing.status, missing.body], [404, NOT_FOUND_BODY]);
        assert.ok(scanIds.length > 0);
        for (const id of scanIds) {
          const r = await get(`/api/v1/scans/${id}`, p);
          if (cell === 200) assert.deepEqual([r.status, r.body.id, r.body.state, r.body.progress], [200, id, 'finished', 1], JSON.stringify(r.body));
          else assert.deepEqual([r.status, r.body], [missing.status, missing.body], `${p} GET /scans/${id} answers unlike a missing id`);
        }
      },
      async 'POST /scans/:id/cancel'(p, cell) {
        // The next run of a scheduled scan waits in the queue for an hour: the one to cancel.
        const made = await api.post('/api/v1/scans', { ...QUIET_SCAN, schedule: { everyMinutes: 60 } }, token.admin);
        assert.equal(made.status, 201, JSON.stringify(made.body));
        await settled(made.body.id);
        const next = await db().selectFrom('scans').select('id').where('seriesId', '=', made.body.id).where('state', '=', 'queued').executeTakeFirstOrThrow();
        const missing = await post(`/api/v1/scans/${MISSING_ID}/cancel`, {}, p);
        const r = await post(`/api/v1/scans/${next.id}/cancel`, {}, p);
        const state = (await db().selectFrom('scans').select('state').where('id', '=', next.id).executeTakeFirstOrThrow()).state;
        if (cell === 200) {
          assert.deepEqual([missing.status, missing.body], [404, NOT_FOUND_BODY]);
          assert.deepEqual([r.status, r.body.id, r.body.state, state], [200, next.id, 'cancelled', 'cancelled'], JSON.stringify(r.body));
          return;
        }
        refused(r, cell as number, `${p} POST /scans/:id/cancel`);
        assert.deepEqual(r.body, missing.body, `${p} cancel answers unlike a missing id`);
        assert.equal(state, 'queued', `${p} cancelled a scan it may not`);
        assert.equal((await api.post(`/api/v1/scans/${next.id}/cancel`, {}, token.admin)).status, 200);
      },
      async 'GET /audit'(p, cell) {
        const r = await get('/api/v1/audit', p);
        if (cell !== 200) return refused(r, cell as number, `${p} GET /audit`);
        assert.equal(r.status, 200, `${p} GET /audit: ${JSON.stringify(r.body)}`);
        assert.ok(Array.isArray(r.body.items) && r.body.items.length > 0);
      },
      async 'POST /enterprises'(p, cell) {
        for (const k of ENTERPRISE_KEYS) {
          const code = freshCreditCode(REGION_OF[k]);
          const before = await count('enterprises');
          const r = await post('/api/v1/enterprises', { name: `${p} 新建企业 ${k}`, creditCode: code, industryCode: 'C2614', regionCode: REGION_OF[k] }, p);
          if (typeof cell === 'number') refused(r, cell, `${p} POST /enterprises in ${REGION_OF[k]}`);
          else if (cell.includes(k)) {
            assert.equal(r.status, 201, `${p} POST /enterprises in ${REGION_OF[k]}: ${JSON.stringify(r.body)}`);
            assert.equal(r.body.countyCode, REGION_OF[k]);
          } else refused(r, 403, `${p} POST /enterprises outside scope in ${REGION_OF[k]}`);
          assert.equal(await count('enterprises'), before + (r.status === 201 ? 1 : 0));
          const stored = await db().selectFrom('enterprises').select('id').where('creditCode', '=', code).execute();
          assert.equal(stored.length, r.status === 201 ? 1 : 0, `${p} POST /enterprises in ${REGION_OF[k]} left ${stored.length} rows`);
        }
      },
      async 'POST /enterprises/:id/networks'(p, cell) {
        // Documentation prefixes (RFC 3849): no observed asset lies inside, so nothing is re-attributed.
        const cidr = (k: EnterpriseKey | null) => `2001:db8:${(PRINCIPALS.indexOf(p) * 16 + (k ? ENTERPRISE_KEYS.indexOf(k) + 1 : 0)).toString(16)}::/48`;
        await checkPerEnterprise(
          p,
          cell,
          'POST /enterprises/:id/networks',
          async (id, k) => {
            const before = await count('enterpriseNetworks');
            const r = await post(`/api/v1/enterprises/${id}/networks`, { cidr: cidr(k) }, p);
            assert.equal(await count('enterpriseNetworks'), before + (r.status === 201 ? 1 : 0), `${p} network on ${k ?? 'a missing id'}`);
            return r;
          },
          (r, k) => {
            assert.equal(r.status, 201, JSON.stringify(r.body));
            assert.deepEqual([r.body.enterpriseId, r.body.cidr], [enterpriseId[k], cidr(k)]);
          },
        );
      },
      async 'POST /observations'(p, cell) {
        // The fixture's own observation again: accepted, and idempotent, so later cells see the same world.
        const [obs, audits] = [await count('observations'), await count('auditLog')];
        const r = await post('/api/v1/observations', [s7smart(ASSETS.a.ip)], p);
        if (cell !== 200) {
          refused(r, cell as number, `${p} POST /observations`);
          assert.deepEqual([await count('observations'), await count('auditLog')], [obs, audits], `${p} POST /observations wrote something`);
          return;
        }
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual([r.body.accepted, r.body.rejected], [1, []]);
        assert.equal(await count('observations'), obs);
      },
      async 'POST /advisories'(p, cell) {
        const r = await post('/api/v1/advisories', csaf, p);
        if (cell !== 200) return refused(r, cell as number, `${p} POST /advisories`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual([r.body.advisory.id, r.body.created], [ADVISORY_ID, false]);
      },
      async 'POST /honeypot/events'(p, cell) {
        // The same batch from every principal: the first stores it, the rest are duplicates.
        const events = ASSET_KEYS.flatMap((k) => honeypotEvents(ASSETS[k].ip));
        const trapped = async () => Number((await db().selectFrom('events').where('kind', '=', 'honeypot').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        const [stored, audits] = [await trapped(), await count('auditLog')];
        const r = await post('/api/v1/honeypot/events', { events }, p);
        if (cell !== 200) {
          refused(r, cell as number, `${p} POST /honeypot/events`);
          assert.deepEqual([await trapped(), await count('auditLog')], [stored, audits], `${p} POST /honeypot/events wrote something`);
          return;
        }
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual([r.body.accepted + r.body.duplicates, r.body.rejected], [events.length, []]);
        assert.equal(await trapped(), stored + r.body.accepted);
        assert.equal(await trapped(), events.length);
      },
      async 'GET /honeypot/events'(p, cell) {
        const r = await get('/api/v1/honeypot/events?pageSize=500', p);
        if (typeof cell === 'number') return refused(r, cell, `${p} GET /honeypot/events`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const keys = r.body.items.map((e: { ip: string }) => ASSET_KEYS.find((k) => ASSETS[k].ip === e.ip) ?? '?');
        assert.equal(sorted(new Set(keys)), sorted(cell), `${p} GET /honeypot/events shows the wrong set`);
        assert.equal(r.body.total, cell.length * HONEYPOT_PER_SOURCE);
        for (const k of ASSET_KEYS) {
          const one = await get(`/api/v1/honeypot/events?ip=${ASSETS[k].ip}&operation=write`, p);
          assert.equal(one.body.total, cell.includes(k) ? 1 : 0, `${p} GET /honeypot/events?ip=${ASSETS[k].ip}&operation=write`);
        }
      },
      async 'GET /honeypot/sources'(p, cell) {
        const r = await get('/api/v1/honeypot/sources?limit=100&since=2026-01-01T00:00:00Z', p);
        if (typeof cell === 'number') return refused(r, cell, `${p} GET /honeypot/sources`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(sorted(r.body.items.map((s: { ip: string }) => ASSET_KEYS.find((k) => ASSETS[k].ip === s.ip) ?? '?')), sorted(cell), `${p} GET /honeypot/sources shows the wrong set`);
        for (const s of r.body.items) assert.deepEqual([s.events, s.classification], [HONEYPOT_PER_SOURCE, 'manipulation']);
      },
      async 'GET /honeypot/activity'(p, cell) {
        const r = await get('/api/v1/honeypot/activity?bucket=day&since=2026-01-01T00:00:00Z', p);
        if (typeof cell === 'number') return refused(r, cell, `${p} GET /honeypot/activity`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const total = r.body.items.reduce((t: number, x: { count: number }) => t + x.count, 0);
        assert.equal(total, cell.length * HONEYPOT_PER_SOURCE, `${p} GET /honeypot/activity counts events out of scope`);
      },
      async 'GET /honeypot/sources/:ip'(p, cell) {
        const missing = await get('/api/v1/honeypot/sources/198.51.100.77', p);
        if (typeof cell === 'number') refused(missing, cell, `${p} GET /honeypot/sources/:ip on an unknown address`);
        else assert.deepEqual([missing.status, missing.body], [404, NOT_FOUND_BODY]);
        for (const k of ASSET_KEYS) {
          const r = await get(`/api/v1/honeypot/sources/${ASSETS[k].ip}`, p);
          if (typeof cell === 'string' && cell.includes(k)) {
            assert.equal(r.status, 200, JSON.stringify(r.body));
            assert.deepEqual([r.body.ip, r.body.honeypotEvents.length, r.body.assets.length, r.body.indicator?.detail?.classification], [ASSETS[k].ip, HONEYPOT_PER_SOURCE, 1, 'manipulation']);
          } else assert.deepEqual([r.status, r.body], [missing.status, missing.body], `${p} GET /honeypot/sources/${ASSETS[k].ip} answers unlike an unknown address`);
        }
      },
      async 'POST /users'(p, cell) {
        const before = await count('users');
        const r = await post('/api/v1/users', { username: `made-by-${p}-${target.name}`, password: 'made-pass-1234', role: 'city-analyst', regionCode: '360200' }, p);
        if (cell !== 201) {
          refused(r, cell as number, `${p} POST /users`);
          assert.equal(await count('users'), before);
          return;
        }
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.equal(await count('users'), before + 1);
      },
      async 'POST /auth/logout'(p, cell) {
        // A second session of the same user, so that the principal's own token stays usable.
        // (Not for the disabled user: its failed log-in would count against 127.0.0.1 in the throttle.)
        const t = cell !== 204 ? token[p] : await api.login(p === 'admin' ? 'admin' : username[p]!, p === 'admin' ? ADMIN_PASSWORD : password[p]!);
        const r = await api.call('POST', '/api/v1/auth/logout', { token: t });
        if (cell !== 204) return refused(r, cell as number, `${p} POST /auth/logout`);
        assert.equal(r.status, 204, JSON.stringify(r.body));
        refused(await api.get('/api/v1/auth/me', t), 401, `${p}'s logged-out token`);
        assert.equal((await get('/api/v1/auth/me', p)).status, 200, `${p}'s other session survives`);
      },
    };

    test('every matrix row has a check and every check a row', () => {
      assert.deepEqual(Object.keys(CHECKS).sort(), Object.keys(MATRIX).sort());
    });

    test('public endpoints answer without a token', { skip }, async () => {
      assert.equal((await api.get('/api/health')).status, 200);
      assert.equal((await api.get('/openapi.json')).status, 200);
    });

    // Reads first, then writes (which add objects), then log-outs; the matrix is in that order.
    for (const endpoint of Object.keys(MATRIX)) {
      for (const p of PRINCIPALS) {
        const name = `${p} ${endpoint}`;
        test(name, { skip }, () => CHECKS[endpoint](p, MATRIX[endpoint][p]));
      }
    }

    for (const reach of REACH) {
      const name = `${reach.principal} POST /enterprises/:id/networks over ${reach.cidr} (another region's asset ${reach.foreign})`;
      test(name, { skip }, async () => {
        const where = async () => {
          const r = await api.get(`/api/v1/assets?q=${ASSETS[reach.foreign].ip}`, token.admin);
          const a = r.body.items[0];
          return [a.cityCode, a.countyCode, a.enterpriseId];
        };
        const before = await where();
        const r = await post(`/api/v1/enterprises/${enterpriseId[reach.enterprise]}/networks`, { cidr: reach.cidr }, reach.principal);
        assert.deepEqual(await where(), before, `${reach.principal} moved asset ${reach.foreign} (answer ${r.status})`);
        const visible = await get(`/api/v1/assets?q=${ASSETS[reach.foreign].ip}`, reach.principal);
        assert.equal(visible.body.total, 0, `${reach.principal} now sees asset ${reach.foreign}`);
        refused(r, 403, `${reach.principal} network over ${reach.cidr}`);
      });
    }
  });
}
