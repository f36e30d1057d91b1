// Hostile input over HTTP, on every storage dialect: malformed and oversize bodies, wrong content
// types and JSON types, unknown and missing fields, invalid CIDRs, credit codes, industry and region
// codes, addresses outside the region, SQL metacharacters, NUL bytes and odd Unicode in every string
// and query field, absurd paging, expired tokens and login throttling. Every refusal is a 4xx with
// {error: {code, message}} whose code is in src/errors.ts, never a 5xx, and a refused write leaves
// every table as it was.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import type { Platform } from '../src/main.ts';
import { ERRORS } from '../src/errors.ts';
import { LoginThrottle } from '../src/access/index.ts';
import { makeCreditCode, CREDIT_CODE_CHARSET } from '../src/model/credit-code.ts';
import { client, type Reply } from './support/api.ts';
import { dialectTargets, skipUnless } from './support/stores.ts';
import { ADMIN_PASSWORD, S7_200_SMART_ADVISORY, s7smart, startTestPlatform } from './support/platform.ts';

const BODY_LIMIT = 2 * 1024 * 1024; // room for a batch of 10,000 small observations
const MAX_BATCH = 10_000; // src/services/observations.ts
const SQL = ["' OR 1=1 --", '%', '_', '\\', '"', '\u0000', "'; DROP TABLE enterprises; --", '%_%\\'];
const csaf = JSON.parse(readFileSync(new URL(`../reference/csaf/${S7_200_SMART_ADVISORY}`, import.meta.url), 'utf8'));

/** A request with full control of method, headers and bytes (fetch always adds a content type). */
function raw(base: string, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, headers: body === undefined ? headers : { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          /* keep the text */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

type Code = keyof typeof ERRORS;

/** NUL is refused at the API edge for every field (PostgreSQL cannot store it), before any field's own check. */
const orNul = (input: string, code: Code): Code => (input.includes('\u0000') || input.includes('%00') ? 'VALIDATION_FAILED' : code);

/** The one error shape, with a code from the table whose status is the one answered. */
function assertError(r: Reply, codes: Code | Code[], what: string) {
  const allowed = Array.isArray(codes) ? codes : [codes];
  const shown = `${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`;
  assert.ok(r.status >= 400 && r.status < 500, `not a 4xx: ${shown}`);
  assert.ok(r.body && typeof r.body === 'object' && r.body.error && typeof r.body.error === 'object', `no {error}: ${shown}`);
  assert.deepEqual(Object.keys(r.body).sort(), ['error'], shown);
  const { code, message } = r.body.error;
  assert.ok(code in ERRORS, `code not in src/errors.ts: ${shown}`);
  assert.equal(ERRORS[code as Code].status, r.status, `status differs from the table's for ${code}: ${shown}`);
  assert.equal(typeof message, 'string', shown);
  assert.ok(message.length > 0, shown);
  assert.ok(allowed.includes(code), `expected ${allowed.join(' or ')}: ${shown}`);
}

/** Either accepted, or refused the documented way; never a 5xx. */
function assertHandled(r: Reply, what: string) {
  assert.ok(r.status < 500, `5xx: ${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  if (r.status >= 400) assertError(r, Object.keys(ERRORS) as Code[], what);
}

const TABLES = ['enterprises', 'enterpriseNetworks', 'users', 'sessions', 'assets', 'services', 'identities', 'observations', 'findings', 'warnings', 'warningFindings', 'advisories', 'auditLog'] as const;
type Counts = Record<(typeof TABLES)[number], number>;

for (const target of dialectTargets()) {
  describe(`hostile input on ${target.name}`, async () => {
    const skip = await skipUnless(target);
    let platform: Platform;
    let api: ReturnType<typeof client>;
    let admin: string;
    let city: string;
    let enterpriseA: string;
    let creditA: string;
    let serial = 0;
    const fresh = (region = '360102') => makeCreditCode(`91${region}${String(++serial).padStart(5, '0')}`);

    const counts = async (): Promise<Counts> => {
      const row = await platform.ctx.store.db
        .selectNoFrom((eb) => TABLES.map((t) => eb.selectFrom(t).select((e) => e.fn.countAll<number>().as('n')).as(t)))
        .executeTakeFirstOrThrow();
      return Object.fromEntries(TABLES.map((t) => [t, Number((row as Record<string, unknown>)[t])])) as Counts;
    };
    /** A session of the admin written straight into the store (a log-in costs a scrypt). */
    const session = async () => {
      const token = randomBytes(32).toString('base64url');
      const user = await platform.ctx.store.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
      const now = new Date();
      await platform.ctx.store.db
        .insertInto('sessions')
        .values({ tokenHash: createHash('sha256').update(token).digest('hex'), userId: user.id, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + 3_600_000).toISOString() })
        .execute();
      return token;
    };

    /** Sends, then checks the refusal and that no table changed (but for `allow`, e.g. an audit row of a failed log-in). */
    async function refused(send: () => Promise<Reply>, codes: Code | Code[], what: string, allow: Partial<Counts> = {}) {
      const before = await counts();
      const r = await send();
      assertError(r, codes, what);
      const afterwards = await counts();
      for (const t of TABLES) assert.equal(afterwards[t], before[t] + (allow[t] ?? 0), `${what}: ${t} went from ${before[t]} to ${afterwards[t]}`);
      return r;
    }

    before(async () => {
      if (skip) return;
      platform = await startTestPlatform(target, { bodyLimitBytes: BODY_LIMIT });
      api = client(platform.url);
      admin = await api.login('admin', ADMIN_PASSWORD);
      creditA = fresh();
      const e = await api.post('/api/v1/enterprises', { name: '江西测试化工有限公司', creditCode: creditA, industryCode: 'C2614', regionCode: '360102' }, admin);
      assert.equal(e.status, 201, JSON.stringify(e.body));
      enterpriseA = e.body.id;
      assert.equal((await api.post(`/api/v1/enterprises/${enterpriseA}/networks`, { cidr: '36.134.80.0/24' }, admin)).status, 201);
      const obs = await api.post('/api/v1/observations', [s7smart('36.134.80.10'), s7smart('59.63.1.10')], admin);
      assert.equal(obs.body.accepted, 2, JSON.stringify(obs.body));
      assert.equal((await api.post('/api/v1/users', { username: 'city-nc', password: 'city-pass-123', role: 'city-analyst', regionCode: '360100' }, admin)).status, 201);
      city = await api.login('city-nc', 'city-pass-123');
    });
    after(async () => {
      if (skip) return;
      await platform.close();
      await target.cleanup();
    });

    const t = (name: string, fn: () => Promise<void>) => test(name, { skip }, fn);

    // ---- every POST endpoint: bytes that are not a JSON object of the right shape
    const validBodies: Record<string, () => unknown> = {
      '/api/v1/auth/login': () => ({ username: 'admin', password: ADMIN_PASSWORD }),
      '/api/v1/users': () => ({ username: `u${++serial}`, password: 'user-pass-123', role: 'city-analyst', regionCode: '360100' }),
      '/api/v1/enterprises': () => ({ name: '江西新建测试有限公司', creditCode: fresh(), industryCode: 'C2614', regionCode: '360102', classification: '重点', grade: '二级', contacts: [{ name: '张工', phone: '0791-88888888', email: 'zhang@example.cn', role: '安全负责人' }] }),
      '/api/v1/enterprises/:id/networks': () => ({ cidr: `2001:db8:${(++serial).toString(16)}::/48` }),
      '/api/v1/observations': () => ({ observations: [s7smart('36.134.80.99')] }),
      '/api/v1/advisories': () => ({ ...csaf, document: { ...csaf.document, tracking: { ...csaf.document.tracking, id: `ICSA-99-${String(++serial).padStart(3, '0')}-01` } } }),
      '/api/v1/auth/logout': () => ({}),
    };
    const path = (p: string) => p.replace(':id', () => enterpriseA);

    for (const endpoint of Object.keys(validBodies)) {
      const json = { 'content-type': 'application/json' };
      const send = (token: string, headers: Record<string, string>, body?: string | Buffer) => () => raw(platform.url, 'POST', path(endpoint), { authorization: `Bearer ${token}`, ...headers }, body);
      const cases: [string, Record<string, string>, string | Buffer | undefined, Code | Code[]][] = [
        ['malformed JSON', json, '{"username": "admin", ', 'MALFORMED_JSON'],
        ['JSON with a trailing comma', json, '{"a": 1,}', 'MALFORMED_JSON'],
        ['single-quoted JSON', json, "{'a': 1}", 'MALFORMED_JSON'],
        // RFC 8259 §8.1: JSON text exchanged between systems is UTF-8; these bytes are not.
        ['bytes that are not UTF-8', json, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), ['MALFORMED_JSON', 'VALIDATION_FAILED']],
        ['an empty body', json, '', 'MALFORMED_JSON'],
        ['text/plain', { 'content-type': 'text/plain' }, JSON.stringify(validBodies[endpoint]()), 'UNSUPPORTED_MEDIA_TYPE'],
        ['a form', { 'content-type': 'application/x-www-form-urlencoded' }, 'username=admin&password=x', 'UNSUPPORTED_MEDIA_TYPE'],
        ['XML', { 'content-type': 'application/xml' }, '<a/>', 'UNSUPPORTED_MEDIA_TYPE'],
        ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\n\r\n--x--', 'UNSUPPORTED_MEDIA_TYPE'],
        [`a body over the limit (${BODY_LIMIT} bytes)`, json, JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT) }), 'BODY_TOO_LARGE'],
        ['a prototype-poisoning __proto__ key', json, '{"__proto__": {"isAdmin": true}}', ['MALFORMED_JSON', 'VALIDATION_FAILED']],
        ['a constructor.prototype key', json, '{"constructor": {"prototype": {"isAdmin": true}}}', ['MALFORMED_JSON', 'VALIDATION_FAILED']],
      ];
      if (endpoint !== '/api/v1/auth/logout') {
        cases.push(
          ['no body at all', {}, undefined, 'VALIDATION_FAILED'],
          ['JSON null', json, 'null', 'VALIDATION_FAILED'],
          ['a JSON string', json, '"admin"', 'VALIDATION_FAILED'],
          ['a JSON number', json, '42', 'VALIDATION_FAILED'],
        );
        // The bare-array form is valid for observations; each bad item is then rejected on its own (below).
        if (endpoint !== '/api/v1/observations') cases.push(['a JSON array of objects', json, '[{}]', 'VALIDATION_FAILED']);
      }
      for (const [label, headers, body, code] of cases) {
        t(`POST ${endpoint}: ${label}`, async () => {
          // Log-out gets a session of its own: a request that slipped through would end the admin's.
          const token = endpoint === '/api/v1/auth/logout' ? await session() : admin;
          await refused(send(token, headers, body), code, `POST ${endpoint} with ${label}`);
        });
      }
    }

    // ---- every POST endpoint: wrong JSON types, unknown fields, missing fields
    const shapes: Record<string, { required: string[]; fields: Record<string, 'string' | 'array' | 'object'> }> = {
      '/api/v1/auth/login': { required: ['username', 'password'], fields: { username: 'string', password: 'string' } },
      '/api/v1/users': { required: ['username', 'password', 'role'], fields: { username: 'string', password: 'string', role: 'string', regionCode: 'string' } },
      '/api/v1/enterprises': {
        required: ['name', 'creditCode', 'industryCode', 'regionCode'],
        fields: { name: 'string', creditCode: 'string', industryCode: 'string', regionCode: 'string', classification: 'string', grade: 'string', contacts: 'array' },
      },
      '/api/v1/enterprises/:id/networks': { required: ['cidr'], fields: { cidr: 'string' } },
      '/api/v1/observations': { required: ['observations'], fields: { observations: 'array' } },
      '/api/v1/advisories': { required: ['document'], fields: { document: 'object', product_tree: 'object', vulnerabilities: 'array' } },
    };
    const WRONG: Record<'string' | 'array' | 'object', [string, unknown][]> = {
      string: [['a number', 102], ['a boolean', true], ['null', null], ['an array', ['x']], ['an object', { x: 'y' }]],
      array: [['a string', 'x'], ['a number', 1], ['an object', { 0: 'x' }], ['null', null]],
      object: [['a string', 'x'], ['a number', 1], ['an array', [{}]], ['null', null]],
    };
    for (const [endpoint, shape] of Object.entries(shapes)) {
      for (const [field, type] of Object.entries(shape.fields)) {
        for (const [label, value] of WRONG[type]) {
          t(`POST ${endpoint}: ${field} as ${label}`, async () => {
            const body = { ...(validBodies[endpoint]() as object), [field]: value };
            await refused(() => api.post(path(endpoint), body, admin), 'VALIDATION_FAILED', `${field} = ${JSON.stringify(value)}`);
          });
        }
      }
      for (const field of shape.required) {
        t(`POST ${endpoint}: without ${field}`, async () => {
          const body = { ...(validBodies[endpoint]() as Record<string, unknown>) };
          delete body[field];
          await refused(() => api.post(path(endpoint), body, admin), 'VALIDATION_FAILED', `without ${field}`);
        });
      }
      t(`POST ${endpoint}: an unknown field`, async () => {
        const body = { ...(validBodies[endpoint]() as object), isAdmin: true };
        await refused(() => api.post(path(endpoint), body, admin), 'VALIDATION_FAILED', 'unknown field isAdmin');
      });
    }
    t('POST /api/v1/enterprises: a name holding bytes that are not UTF-8', async () => {
      const text = JSON.stringify({ ...(validBodies['/api/v1/enterprises']() as object), name: 'NAME' });
      const [head, tail] = text.split('NAME');
      const body = Buffer.concat([Buffer.from(head), Buffer.from([0xe6, 0xb1, 0x9f, 0xff, 0xc3, 0x28]), Buffer.from(tail)]);
      await refused(() => raw(platform.url, 'POST', '/api/v1/enterprises', { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body), 'MALFORMED_JSON', 'name with 0xff 0xc3 0x28');
    });
    t('POST /api/v1/enterprises: a contact with an unknown field, a bad email, or as a string', async () => {
      for (const contacts of [[{ name: '张工', ssn: '1' }], [{ name: '张工', email: "x' OR 1=1 --" }], ['张工'], [{}], Array.from({ length: 21 }, () => ({ name: 'x' }))]) {
        await refused(() => api.post('/api/v1/enterprises', { ...(validBodies['/api/v1/enterprises']() as object), contacts }, admin), 'VALIDATION_FAILED', JSON.stringify(contacts).slice(0, 80));
      }
    });

    // ---- domain codes
    const CIDRS = ['10.0.0.0/33', '1.2.3', '::1/129', '01.2.3.4/8', '10.0.0.0/-1', '10.0.0.0/08', '10.0.0.0/8/8', '10.0.0.0/ 8', ' 10.0.0.0/8', '10.0.0.0/8 ', '１０.0.0.0/8', '256.0.0.0/8', '10.0.0.0/', '/8', 'fe80::1%eth0/64', ':::/64', '10.0.0.0\u0000/8', ...SQL.filter((s) => s !== '\u0000')];
    for (const cidr of CIDRS) {
      t(`POST networks: CIDR ${JSON.stringify(cidr)}`, async () => {
        await refused(() => api.post(`/api/v1/enterprises/${enterpriseA}/networks`, { cidr }, admin), orNul(cidr, 'INVALID_CIDR'), `cidr ${JSON.stringify(cidr)}`);
      });
    }
    t('POST networks: an empty CIDR or one over 64 characters', async () => {
      for (const cidr of ['', `${'1'.repeat(63)}/8`]) await refused(() => api.post(`/api/v1/enterprises/${enterpriseA}/networks`, { cidr }, admin), 'VALIDATION_FAILED', `cidr ${cidr}`);
    });
    const PATH_IDS = ["'%20OR%201%3D1%20--", '%25', '_', '%00', '%E2%80%AE', '..%2F..%2Fetc%2Fpasswd', '01JZZZZZZZZZZZZZZZZZZZZZZZ'];
    for (const id of [...PATH_IDS, 'x'.repeat(65)]) {
      t(`POST networks: enterprise id ${id.slice(0, 30)}`, async () => {
        await refused(() => api.post(`/api/v1/enterprises/${id}/networks`, { cidr: '2001:db8:ffff::/48' }, admin), id.length > 64 ? 'VALIDATION_FAILED' : orNul(id, 'NOT_FOUND'), `enterprise id ${id}`);
      });
    }

    const good = makeCreditCode('91360102MA35XY');
    const CREDIT_CODES: [string, string, Code][] = [
      ['a bad check character', good.slice(0, 17) + CREDIT_CODE_CHARSET[(CREDIT_CODE_CHARSET.indexOf(good[17]) + 1) % 31], 'INVALID_CREDIT_CODE'],
      ...['I', 'O', 'Z', 'S', 'V', 'i', 'o', 'z', 's', 'v'].map((c): [string, string, Code] => [`the letter ${c}`, `${good.slice(0, 10)}${c}${good.slice(11)}`, 'INVALID_CREDIT_CODE']),
      ['17 characters', good.slice(0, 17), 'INVALID_CREDIT_CODE'],
      ['19 characters', good + '0', 'INVALID_CREDIT_CODE'],
      ['full-width digits', good.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d))), 'INVALID_CREDIT_CODE'],
      ['a trailing space', good.slice(0, 17) + ' ', 'INVALID_CREDIT_CODE'],
      ['letters in the region positions', makeCreditCode('91A60102'), 'INVALID_CREDIT_CODE'],
      ['an empty string', '', 'VALIDATION_FAILED'],
      ['33 characters', good + good.slice(0, 15), 'VALIDATION_FAILED'],
      ...SQL.map((s): [string, string, Code] => [`SQL ${JSON.stringify(s)}`, s, orNul(s, 'INVALID_CREDIT_CODE')]),
    ];
    for (const [label, creditCode, code] of CREDIT_CODES) {
      t(`POST enterprises: credit code with ${label}`, async () => {
        await refused(() => api.post('/api/v1/enterprises', { ...(validBodies['/api/v1/enterprises']() as object), creditCode }, admin), code, `credit code ${JSON.stringify(creditCode)}`);
      });
    }
    t('POST enterprises: an existing credit code, also spelled in lower case', async () => {
      assert.equal((await api.post('/api/v1/enterprises', { ...(validBodies['/api/v1/enterprises']() as object), creditCode: good }, admin)).status, 201);
      for (const creditCode of [good, good.toLowerCase()]) {
        await refused(() => api.post('/api/v1/enterprises', { ...(validBodies['/api/v1/enterprises']() as object), creditCode }, admin), 'CONFLICT', `duplicate ${creditCode}`);
      }
    });

    const INDUSTRY: [string, Code | Code[]][] = [
      ['C9999', 'INVALID_INDUSTRY_CODE'],
      ['99', 'INVALID_INDUSTRY_CODE'],
      ['Z', 'INVALID_INDUSTRY_CODE'],
      ['A26', 'INVALID_INDUSTRY_CODE'],
      ['C26145', 'INVALID_INDUSTRY_CODE'],
      ['C2', 'INVALID_INDUSTRY_CODE'],
      ['C260', 'INVALID_INDUSTRY_CODE'],
      ['26 14', 'INVALID_INDUSTRY_CODE'],
      ['Ｃ2614', 'INVALID_INDUSTRY_CODE'],
      ['', 'VALIDATION_FAILED'],
      ['C26140000', 'VALIDATION_FAILED'],
      // Longer than the schema's 8 characters is refused before the code is read.
      ...SQL.map((s): [string, Code[]] => [s, s.length > 8 ? ['VALIDATION_FAILED'] : [orNul(s, 'INVALID_INDUSTRY_CODE')]]),
    ];
    for (const [industryCode, code] of INDUSTRY) {
      t(`POST enterprises: industry code ${JSON.stringify(industryCode)}`, async () => {
        await refused(() => api.post('/api/v1/enterprises', { ...(validBodies['/api/v1/enterprises']() as object), industryCode }, admin), code, `industry ${JSON.stringify(industryCode)}`);
      });
    }

    const REGIONS: [string, Code][] = [
      ['360199', 'INVALID_REGION'], // no such county in 南昌市
      ['110101', 'INVALID_REGION'], // 北京市东城区: another province
      ['360000', 'INVALID_REGION'], // the province itself holds no enterprise
      ['000000', 'INVALID_REGION'],
      ['36010', 'VALIDATION_FAILED'],
      ['3601020', 'VALIDATION_FAILED'],
      ['３６０１０２', 'VALIDATION_FAILED'],
      ['36010a', 'VALIDATION_FAILED'],
      ...SQL.map((s): [string, Code] => [s, 'VALIDATION_FAILED']),
    ];
    for (const [regionCode, code] of REGIONS) {
      t(`POST enterprises: region code ${JSON.stringify(regionCode)}`, async () => {
        await refused(() => api.post('/api/v1/enterprises', { ...(validBodies['/api/v1/enterprises']() as object), regionCode }, admin), code, `region ${JSON.stringify(regionCode)}`);
      });
    }

    // ---- users: roles and their scopes
    const USERS: [string, Record<string, unknown>, Code][] = [
      ['an unknown role', { role: 'root' }, 'VALIDATION_FAILED'],
      ['a role in upper case', { role: 'PROVINCE-ADMIN' }, 'VALIDATION_FAILED'],
      ['a city analyst scoped to a county', { role: 'city-analyst', regionCode: '360102' }, 'INVALID_ROLE_SCOPE'],
      ['a city analyst scoped to an unknown city', { role: 'city-analyst', regionCode: '369900' }, 'INVALID_ROLE_SCOPE'],
      ['a city analyst without a region', { role: 'city-analyst', regionCode: undefined }, 'INVALID_ROLE_SCOPE'],
      ['a county analyst scoped to a city', { role: 'county-analyst', regionCode: '360100' }, 'INVALID_ROLE_SCOPE'],
      ['a province analyst scoped to a city', { role: 'province-analyst', regionCode: '360100' }, 'INVALID_ROLE_SCOPE'],
      ['an enterprise user of a missing enterprise', { role: 'enterprise-user', regionCode: undefined, enterpriseId: '01JZZZZZZZZZZZZZZZZZZZZZZZ' }, 'INVALID_ROLE_SCOPE'],
      ['an enterprise user whose enterprise id is SQL', { role: 'enterprise-user', regionCode: undefined, enterpriseId: "' OR 1=1 --" }, 'INVALID_ROLE_SCOPE'],
      ['an enterprise user whose enterprise id is a LIKE pattern', { role: 'enterprise-user', regionCode: undefined, enterpriseId: '%' }, 'INVALID_ROLE_SCOPE'],
      ['an enterprise user with a region too', { role: 'enterprise-user', enterpriseId: 'ENTERPRISE_A' }, 'INVALID_ROLE_SCOPE'],
      ['a sensor with a region', { role: 'sensor' }, 'INVALID_ROLE_SCOPE'],
      ['a password of 7 characters', { password: 'seven77' }, 'VALIDATION_FAILED'],
      ['a username with a space', { username: 'a b' }, 'VALIDATION_FAILED'],
      ['a username in Chinese', { username: '管理员' }, 'VALIDATION_FAILED'],
      ['a username of 65 characters', { username: 'u'.repeat(65) }, 'VALIDATION_FAILED'],
      ['the existing username admin', { username: 'admin' }, 'CONFLICT'],
      // '_' alone is a valid username ([A-Za-z0-9_.@-]); the rest are not.
      ...SQL.filter((s) => s !== '_').map((s): [string, Record<string, unknown>, Code] => [`username ${JSON.stringify(s)}`, { username: s }, 'VALIDATION_FAILED']),
      ...SQL.map((s): [string, Record<string, unknown>, Code] => [`regionCode ${JSON.stringify(s)}`, { regionCode: s }, 'VALIDATION_FAILED']),
    ];
    for (const [label, patch, code] of USERS) {
      t(`POST users: ${label}`, async () => {
        const body: Record<string, unknown> = { ...(validBodies['/api/v1/users']() as object), ...patch };
        if (body.enterpriseId === 'ENTERPRISE_A') body.enterpriseId = enterpriseA;
        for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
        await refused(() => api.post('/api/v1/users', body, admin), code, label);
      });
    }

    // ---- log-in: odd credentials answer BAD_CREDENTIALS (and are audited), never more
    const LOGINS: [string, Record<string, unknown>, Code][] = [
      ...SQL.map((s): [string, Record<string, unknown>, Code] => [`username ${JSON.stringify(s)}`, { username: s, password: 'whatever-123' }, orNul(s, 'BAD_CREDENTIALS')]),
      ...SQL.map((s): [string, Record<string, unknown>, Code] => [`admin with password ${JSON.stringify(s)}`, { username: 'admin', password: s }, orNul(s, 'BAD_CREDENTIALS')]),
      ['username in Chinese', { username: '管理员', password: 'whatever-123' }, 'BAD_CREDENTIALS'],
      ['ADMIN in upper case', { username: 'ADMIN', password: ADMIN_PASSWORD }, 'BAD_CREDENTIALS'],
      ['an empty username', { username: '', password: 'x' }, 'VALIDATION_FAILED'],
      ['a username of 65 characters', { username: 'u'.repeat(65), password: 'x' }, 'VALIDATION_FAILED'],
      ['a password of 257 characters', { username: 'admin', password: 'p'.repeat(257) }, 'VALIDATION_FAILED'],
    ];
    for (const [label, body, code] of LOGINS) {
      t(`POST login: ${label}`, async () => {
        await refused(() => api.post('/api/v1/auth/login', body, undefined), code, label, code === 'BAD_CREDENTIALS' ? { auditLog: 1 } : {});
        // Forget the failures this address collected, so the throttle test below starts clean.
        platform.ctx.throttle = new LoginThrottle();
      });
    }

    // ---- observations: the batch, then each item on its own
    t(`POST observations: ${MAX_BATCH + 1} items`, async () => {
      const r = await refused(() => api.post('/api/v1/observations', { observations: Array.from({ length: MAX_BATCH + 1 }, () => ({})) }, admin), 'BATCH_TOO_LARGE', 'batch');
      assert.equal(r.status, 413);
      await refused(() => api.post('/api/v1/observations', Array.from({ length: MAX_BATCH + 1 }, () => 0), admin), 'BATCH_TOO_LARGE', 'bare batch');
    });
    t(`POST observations: ${MAX_BATCH} bad items are each rejected, nothing written`, async () => {
      const before = await counts();
      const item = (port: number) => ({ ip: '8.8.8.8', port, transport: 'tcp', protocol: 'modbus', observedAt: '2026-11-01T08:00:00Z', source: 's' });
      const r = await api.post('/api/v1/observations', Array.from({ length: MAX_BATCH }, (_, i) => item(i)), admin);
      assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
      assert.equal(r.body.accepted, 0);
      assert.equal(r.body.rejected.length, MAX_BATCH);
      assert.ok(r.body.rejected.every((x: { code: string }, i: number) => x.code === 'OUT_OF_REGION' && r.body.rejected[i].index === i));
      assert.deepEqual(await counts(), before);
    });

    const base = () => s7smart('36.134.80.20');
    const ITEMS: [string, unknown, string][] = [
      ...['8.8.8.8', '10.0.0.1', '127.0.0.1', '0.0.0.0', '255.255.255.255', '224.0.0.1', '::1', '2001:4860:4860::8888', '::ffff:8.8.8.8', 'fe80::1'].map((ip): [string, unknown, string] => [`ip ${ip} outside every range`, { ...base(), ip }, 'OUT_OF_REGION']),
      ...['1.2.3', '01.2.3.4', '256.1.1.1', '1.2.3.4/32', ' 36.134.80.20', '36.134.80.20\u0000', '::1/129', '::g', '', '３６.134.80.20', ...SQL].map((ip): [string, unknown, string] => [`ip ${JSON.stringify(ip)}`, { ...base(), ip }, 'INVALID_IP']),
      ['ip as a number', { ...base(), ip: 613699604 }, 'INVALID_IP'],
      ['ip as null', { ...base(), ip: null }, 'INVALID_IP'],
      ['via that is not an address', { ...base(), via: "' OR 1=1 --" }, 'INVALID_IP'],
      ...[-1, 65536, 1.5, '102', null, 1e308].map((port): [string, unknown, string] => [`port ${JSON.stringify(port)}`, { ...base(), port }, 'VALIDATION_FAILED']),
      ...['TCP', 'sctp', 6, null, ''].map((transport): [string, unknown, string] => [`transport ${JSON.stringify(transport)}`, { ...base(), transport }, 'VALIDATION_FAILED']),
      ...['Modbus', '', 'm'.repeat(33), '../etc', 7, ...SQL].map((protocol): [string, unknown, string] => [`protocol ${JSON.stringify(protocol)}`, { ...base(), protocol }, 'VALIDATION_FAILED']),
      ...['2026-11-01', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', 'now', 1761984000000, '2099-01-01T00:00:00Z', '2026-11-01T08:00:00', "2026-11-01T08:00:00Z' OR 1=1 --"].map((observedAt): [string, unknown, string] => [`observedAt ${JSON.stringify(observedAt)}`, { ...base(), observedAt }, 'VALIDATION_FAILED']),
      ...['', 's'.repeat(65), 5, null].map((source): [string, unknown, string] => [`source ${JSON.stringify(source)}`, { ...base(), source }, 'VALIDATION_FAILED']),
      ['identity as an array', { ...base(), identity: [{ vendor: 'Siemens' }] }, 'VALIDATION_FAILED'],
      ['identity as a string', { ...base(), identity: 'Siemens' }, 'VALIDATION_FAILED'],
      ['identity with an unknown field', { ...base(), identity: { vendor: 'Siemens', admin: true } }, 'VALIDATION_FAILED'],
      ['identity firmware as a number', { ...base(), identity: { vendor: 'Siemens', firmware: 2.3 } }, 'VALIDATION_FAILED'],
      ['identity vendor of 257 characters', { ...base(), identity: { vendor: 'S'.repeat(257) } }, 'VALIDATION_FAILED'],
      ['identity raw as an array', { ...base(), identity: { vendor: 'Siemens', raw: [1] } }, 'VALIDATION_FAILED'],
      ['identity raw over 16 KiB', { ...base(), identity: { vendor: 'Siemens', raw: { blob: 'x'.repeat(17 * 1024) } } }, 'VALIDATION_FAILED'],
      ['an unknown field', { ...base(), tenant: 'other' }, 'VALIDATION_FAILED'],
      ['an item that is null', null, 'VALIDATION_FAILED'],
      ['an item that is a string', '36.134.80.20:102', 'VALIDATION_FAILED'],
      ['an item that is a number', 1, 'VALIDATION_FAILED'],
      ['an item that is an array', [base()], 'VALIDATION_FAILED'],
    ];
    for (const [label, item, code] of ITEMS) {
      t(`POST observations: item with ${label}`, async () => {
        const before = await counts();
        const r = await api.post('/api/v1/observations', [item], admin);
        assert.equal(r.status, 200, `${label}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        assert.equal(r.body.accepted, 0, label);
        assert.equal(r.body.rejected.length, 1, label);
        const rej = r.body.rejected[0];
        assert.equal(rej.index, 0);
        assert.ok(rej.code in ERRORS || rej.code === 'OUT_OF_REGION', `unknown code ${rej.code}`);
        assert.equal(rej.code, code, `${label}: ${JSON.stringify(rej)}`);
        assert.equal(typeof rej.message, 'string');
        assert.deepEqual(await counts(), before, `${label} wrote something`);
      });
    }

    // ---- advisories: documents that are not CSAF
    // Each built on a copy of ICSA-20-196-06 under a tracking id of its own, so an import that
    // slipped through could not replace the real advisory.
    const advisory = (patch: (doc: any) => void) => {
      const doc = JSON.parse(JSON.stringify(validBodies['/api/v1/advisories']()));
      patch(doc);
      return doc;
    };
    const ADVISORIES: [string, () => unknown, Code | Code[]][] = [
      // The route's schema holds the CSAF 2.0 outline, so these are refused before the importer runs.
      ['an empty document', () => ({ document: {} }), 'VALIDATION_FAILED'],
      ['a document without tracking', () => ({ document: { title: 'x', category: 'csaf_security_advisory', csaf_version: '2.0' } }), 'VALIDATION_FAILED'],
      ['CSAF version 1.2', () => advisory((d) => (d.document.csaf_version = '1.2')), 'VALIDATION_FAILED'],
      ['a tracking id that is not a string', () => advisory((d) => (d.document.tracking.id = 42)), 'VALIDATION_FAILED'],
      ['a title that is an object', () => advisory((d) => (d.document.title = { zh: 'x' })), 'VALIDATION_FAILED'],
      ['vulnerabilities that are numbers', () => advisory((d) => (d.vulnerabilities = [1, 2])), 'VALIDATION_FAILED'],
    ];
    for (const [label, doc, code] of ADVISORIES) {
      t(`POST advisories: ${label}`, async () => {
        await refused(() => api.post('/api/v1/advisories', doc(), admin), code, label);
      });
    }
    // CSAF 2.0 allows any non-blank text as a tracking id (§3.2.1.12.6): these may be imported, then read back verbatim.
    for (const id of ["ICSA-' OR 1=1 --", 'ICSA-%_\\"', 'ICSA-20-196-06\u0000', 'ICSA-测试😀']) {
      t(`POST advisories: tracking id ${JSON.stringify(id)} is stored verbatim or refused`, async () => {
        const before = await counts();
        const r = await api.post('/api/v1/advisories', advisory((d) => (d.document.tracking.id = id)), admin);
        assertHandled(r, `tracking id ${JSON.stringify(id)}`);
        if (r.status >= 400) return assert.deepEqual(await counts(), before);
        assert.equal(r.body.advisory.id, id);
        const back = await api.get(`/api/v1/advisories/${encodeURIComponent(id)}`, admin);
        assert.deepEqual([back.status, back.body.id], [200, id], `read back ${JSON.stringify(id)}`);
      });
    }

    // ---- query strings
    const LISTS: Record<string, { text: string[]; enums: string[] }> = {
      '/api/v1/enterprises': { text: ['q'], enums: [] },
      '/api/v1/assets': { text: ['enterprise', 'protocol', 'vendor', 'q'], enums: [] },
      '/api/v1/findings': { text: ['ip', 'enterprise'], enums: ['confidence', 'status', 'cve'] },
      '/api/v1/warnings': { text: ['enterprise'], enums: ['state'] },
    };
    const PAGING: [string, Code | null][] = [
      ['page=1000000', null],
      ['page=1000000&pageSize=500', null],
      ['page=1000001', 'VALIDATION_FAILED'],
      ['page=99999999999999999999999', 'VALIDATION_FAILED'],
      ['page=0', 'VALIDATION_FAILED'],
      ['page=-1', 'VALIDATION_FAILED'],
      ['page=1.5', 'VALIDATION_FAILED'],
      ['page=abc', 'VALIDATION_FAILED'],
      ['page=%EF%BC%91', 'VALIDATION_FAILED'], // full-width 1
      ['page=1&page=2', 'VALIDATION_FAILED'],
      ['page=NaN', 'VALIDATION_FAILED'],
      ['page=Infinity', 'VALIDATION_FAILED'],
      ['pageSize=0', 'VALIDATION_FAILED'],
      ['pageSize=-5', 'VALIDATION_FAILED'],
      ['pageSize=501', 'VALIDATION_FAILED'],
      ['pageSize=1e9', 'VALIDATION_FAILED'],
      ['pageSize=%27%20OR%201%3D1%20--', 'VALIDATION_FAILED'],
      ['isAdmin=true', 'VALIDATION_FAILED'],
      ['region=360199', 'INVALID_REGION'],
      ['region=110101', 'INVALID_REGION'],
      ['region=36010', 'VALIDATION_FAILED'],
    ];
    for (const [list, spec] of Object.entries(LISTS)) {
      for (const [query, code] of PAGING) {
        if (query.startsWith('region=') && !(list.endsWith('/assets') || list.endsWith('/enterprises'))) continue;
        t(`GET ${list}?${query}`, async () => {
          const r = await api.get(`${list}?${query}`, admin);
          if (code) return assertError(r, code, `GET ${list}?${query}`);
          assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
          assert.deepEqual(r.body.items, []);
          assert.equal(r.body.total, (await api.get(list, admin)).body.total);
        });
      }
      for (const param of [...spec.text, ...spec.enums]) {
        for (const value of [...SQL, '😀', '\u202Eevil', 'x'.repeat(129), '黑龙江']) {
          t(`GET ${list}?${param}=${JSON.stringify(value).slice(0, 20)}`, async () => {
            for (const [who, token] of [['admin', admin], ['city analyst', city]] as const) {
              const what = `${who} GET ${list}?${param}=${JSON.stringify(value)}`;
              const r = await api.get(`${list}?${param}=${encodeURIComponent(value)}`, token);
              assertHandled(r, what);
              if (r.status === 200) {
                // Nothing in the fixture carries any of these values: a hit means the value was read as a pattern.
                assert.deepEqual(r.body.items.map((x: { id: string }) => x.id), [], `${what} matched`);
                assert.equal(r.body.total, 0, what);
              } else if (!spec.enums.includes(param) && value !== '\u0000' && value.length <= 64) {
                assert.fail(`${what} refused a harmless text value: ${JSON.stringify(r.body)}`);
              }
            }
          });
        }
      }
    }
    // ---- asset cursors: anything that is not a cursor this list issued for these filters is a 400
    const token = (record: unknown) => Buffer.from(JSON.stringify(record), 'utf8').toString('base64url');
    const issued = async (query: string) => {
      const r = await api.get(`/api/v1/assets?pageSize=1${query}`, admin);
      assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
      assert.equal(typeof r.body.nextCursor, 'string', 'the fixture has more than one asset');
      return r.body.nextCursor as string;
    };
    const digestOf = async (query: string) => JSON.parse(Buffer.from(await issued(query), 'base64url').toString('utf8')).f as string;
    const CURSORS: [string, () => Promise<string>, Code][] = [
      ['empty', async () => '', 'VALIDATION_FAILED'],
      ['over-long', async () => 'a'.repeat(513), 'VALIDATION_FAILED'],
      ['NUL', async () => 'ab\u0000cd', 'VALIDATION_FAILED'],
      ['not base64url', async () => 'abc+/=', 'INVALID_CURSOR'],
      ['not JSON', async () => 'bm90IGpzb24', 'INVALID_CURSOR'],
      ['SQL text', async () => "' OR 1=1 --", 'INVALID_CURSOR'],
      ['JSON null', async () => token(null), 'INVALID_CURSOR'],
      ['a JSON array', async () => token([1, 'a', ['x']]), 'INVALID_CURSOR'],
      ['another version', async () => token({ v: 2, d: 'a', k: ['0'.repeat(32), 'X'], f: await digestOf('') }), 'INVALID_CURSOR'],
      ['an unknown direction', async () => token({ v: 1, d: 'up', k: ['0'.repeat(32), 'X'], f: await digestOf('') }), 'INVALID_CURSOR'],
      ['a key of the wrong shape', async () => token({ v: 1, d: 'a', k: ['0'.repeat(32)], f: await digestOf('') }), 'INVALID_CURSOR'],
      ['a key that is no ip_key', async () => token({ v: 1, d: 'a', k: ["' OR 1=1 --", 'X'], f: await digestOf('') }), 'INVALID_CURSOR'],
      ['a key with a NUL id', async () => token({ v: 1, d: 'a', k: ['0'.repeat(32), 'X\u0000'], f: await digestOf('') }), 'INVALID_CURSOR'],
      ['a key of numbers', async () => token({ v: 1, d: 'a', k: [1, 2], f: await digestOf('') }), 'INVALID_CURSOR'],
      ['issued for other filters', async () => issued('&vendor=Siemens'), 'INVALID_CURSOR'],
      ['issued without filters, sent with one', async () => `${await issued('')}&protocol=s7comm`, 'INVALID_CURSOR'],
      ['with a page number', async () => `${await issued('')}&page=2`, 'VALIDATION_FAILED'],
      ['twice', async () => `${await issued('')}&cursor=${await issued('')}`, 'VALIDATION_FAILED'],
    ];
    for (const [label, cursor, code] of CURSORS) {
      t(`GET /api/v1/assets with a cursor ${label}`, async () => {
        const value = await cursor();
        // The extra parameters some cases carry stay raw; the cursor itself is escaped.
        const [head, ...rest] = value.split('&');
        const query = [`cursor=${encodeURIComponent(head)}`, ...rest].join('&');
        for (const [who, token] of [['admin', admin], ['city analyst', city]] as const) {
          assertError(await api.get(`/api/v1/assets?${query}`, token), code, `${who} cursor ${label}`);
        }
      });
    }
    t('GET /api/v1/assets with a forged cursor past every address: an empty last page', async () => {
      const forged = token({ v: 1, d: 'a', k: ['f'.repeat(32), 'Z'], f: await digestOf('') });
      const r = await api.get(`/api/v1/assets?cursor=${forged}`, admin);
      assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
      assert.deepEqual([r.body.items, r.body.nextCursor, r.body.total], [[], null, (await api.get('/api/v1/assets', admin)).body.total]);
    });
    t('GET enterprises?q= a LIKE wildcard alone matches only names that contain it', async () => {
      for (const q of ['%', '_', '%%', '_%_']) {
        const r = await api.get(`/api/v1/enterprises?q=${encodeURIComponent(q)}`, admin);
        assert.equal(r.status, 200);
        assert.equal(r.body.total, 0, `q=${q} matched ${r.body.total} enterprises`);
      }
    });
    for (const id of PATH_IDS) {
      t(`path parameters: id ${id.slice(0, 30)}`, async () => {
        assertError(await api.get(`/api/v1/enterprises/${id}`, admin), orNul(id, 'NOT_FOUND'), `GET /enterprises/${id}`);
        assertError(await api.get(`/api/v1/enterprises/${id}/networks`, admin), orNul(id, 'NOT_FOUND'), `GET /enterprises/${id}/networks`);
        assertError(await api.get(`/api/v1/advisories/${id}`, admin), orNul(id, 'NOT_FOUND'), `GET /advisories/${id}`);
      });
    }
    t('path parameters: over-long ids and unknown levels', async () => {
      assertError(await api.get(`/api/v1/enterprises/${'x'.repeat(65)}`, admin), 'VALIDATION_FAILED', 'a 65-character id');
      assertError(await api.get('/api/v1/regions/geo/planet', admin), ['VALIDATION_FAILED', 'NOT_FOUND'], 'geo level planet');
      assertError(await api.get('/api/v1/regions/geo/%00', admin), ['VALIDATION_FAILED', 'NOT_FOUND'], 'geo level NUL');
    });

    // ---- strings that are valid: stored and returned exactly, on both dialects
    const ODD = [...SQL, '江西😀测试', '\u202Eevil', 'e\u0301', '\ud83d'];
    for (const s of ODD) {
      t(`POST enterprises: name ${JSON.stringify(s)} is stored verbatim or refused`, async () => {
        const before = await counts();
        const body = { ...(validBodies['/api/v1/enterprises']() as object), name: `企业${s}`, classification: s, grade: s, contacts: [{ name: `联系人${s}`, role: s }] };
        const r = await api.post('/api/v1/enterprises', body, admin);
        assertHandled(r, `name ${JSON.stringify(s)}`);
        if (r.status >= 400) return assert.deepEqual(await counts(), before);
        assert.equal(r.status, 201);
        const back = await api.get(`/api/v1/enterprises/${r.body.id}`, admin);
        assert.deepEqual([back.body.name, back.body.classification, back.body.grade, back.body.contacts], [`企业${s}`, s, s, [{ name: `联系人${s}`, role: s }]], `round trip of ${JSON.stringify(s)}`);
      });
    }
    for (const [i, s] of ODD.entries()) {
      t(`POST observations: identity strings ${JSON.stringify(s)} are stored verbatim or rejected per item`, async () => {
        const ip = `36.134.80.${100 + i}`;
        const before = await counts();
        const r = await api.post('/api/v1/observations', [{ ...s7smart(ip), source: `src${s}`, identity: { vendor: `Siemens${s}`, product: s, firmware: s, serial: s } }], admin);
        assertHandled(r, `identity ${JSON.stringify(s)}`);
        if (r.status !== 200) return assert.deepEqual(await counts(), before);
        if (r.body.accepted === 0) {
          assert.ok(r.body.rejected[0].code in ERRORS, JSON.stringify(r.body.rejected[0]));
          return assert.deepEqual(await counts(), before);
        }
        const a = await api.get(`/api/v1/assets?q=${ip}`, admin);
        const id = a.body.items[0].identity;
        assert.deepEqual([id.vendor, id.product, id.firmware, id.serial], [`Siemens${s}`, s, s, s], `round trip of ${JSON.stringify(s)}`);
      });
    }

    // ---- tokens
    t('tokens: missing, malformed, over-long, SQL, another scheme', async () => {
      for (const authorization of ['', 'Bearer', 'Bearer ', 'Basic YWRtaW46eA==', `Bearer ${'a'.repeat(201)}`, "Bearer ' OR 1=1 --", 'Bearer %', `Bearer ${admin}x`, `Bearer\t${admin}`]) {
        const r = await raw(platform.url, 'GET', '/api/v1/auth/me', authorization ? { authorization } : {});
        assertError(r, 'UNAUTHENTICATED', `authorization ${JSON.stringify(authorization.slice(0, 40))}`);
      }
    });
    t('tokens: an expired token answers 401 UNAUTHENTICATED, on reads and writes alike', async () => {
      const token = await session();
      assert.equal((await api.get('/api/v1/auth/me', token)).status, 200);
      const realNow = platform.ctx.now;
      platform.ctx.now = () => new Date(realNow().getTime() + platform.config.tokenTtlSeconds * 1000 + 1000);
      try {
        assertError(await api.get('/api/v1/auth/me', token), 'UNAUTHENTICATED', 'expired me');
        assertError(await api.get('/api/v1/assets', token), 'UNAUTHENTICATED', 'expired assets');
        await refused(() => api.post('/api/v1/enterprises', validBodies['/api/v1/enterprises'](), token), 'UNAUTHENTICATED', 'expired write');
      } finally {
        platform.ctx.now = realNow;
      }
      assert.equal((await api.get('/api/v1/auth/me', token)).status, 200);
    });

    // Last: five failures lock the account; thirty from one address lock the address (an office
    // behind one NAT address is not locked out by one user's typos).
    t('log-in throttling: 429 LOGIN_THROTTLED after repeated failures, even with the right password', async () => {
      for (let i = 0; i < 5; i++) await refused(() => api.post('/api/v1/auth/login', { username: 'admin', password: `wrong-${i}` }), 'BAD_CREDENTIALS', `failure ${i + 1}`, { auditLog: 1 });
      const r = await refused(() => api.post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD }), 'LOGIN_THROTTLED', 'right password while throttled');
      assert.equal(r.status, 429);
      assert.equal((await api.post('/api/v1/auth/login', { username: 'city-nc', password: 'city-pass-123' })).status, 200, 'another user from the same address');
      for (let i = 5; i < 30; i++) await refused(() => api.post('/api/v1/auth/login', { username: `nobody-${i}`, password: 'wrong' }), 'BAD_CREDENTIALS', `spray ${i + 1}`, { auditLog: 1 });
      await refused(() => api.post('/api/v1/auth/login', { username: 'city-nc', password: 'city-pass-123' }), 'LOGIN_THROTTLED', 'the address after a spray');
      assert.equal((await api.get('/api/v1/auth/me', admin)).status, 200, 'sessions already open stay valid');
    });
  });
}
