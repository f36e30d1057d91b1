// Log-in, bearer tokens and users. Tokens are random 256-bit strings; only their SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';
import { appError } from '../errors.ts';
import { newId, ROLES, type Actor, type Role } from '../model/index.ts';
import { can, generatePassword, hashPassword, scopeKind, verifyPassword } from '../access/index.ts';
import type { ServiceContext } from './context.ts';
import { audit } from './audit.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface PublicUser {
  id: string;
  username: string;
  role: Role;
  regionCode: string | null;
  enterpriseId: string | null;
}

export async function login(
  ctx: ServiceContext,
  input: { username: string; password: string },
  clientIp = 'unknown',
): Promise<{ token: string; expiresAt: string; user: PublicUser }> {
  const keys = [`u:${input.username.toLowerCase()}`, `ip:${clientIp}`];
  if (ctx.throttle.blocked(keys)) throw appError('LOGIN_THROTTLED');
  const user = await ctx.store.db.selectFrom('users').selectAll().where('username', '=', input.username).executeTakeFirst();
  // Verify against a dummy hash when the user is unknown, so timing does not reveal usernames.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok || user.disabled) {
    ctx.throttle.fail(keys);
    await audit(ctx.store.db, null, 'auth.login-failed', 'user', user?.id ?? null, { username: input.username, clientIp }, ctx.now());
    throw appError('BAD_CREDENTIALS');
  }
  ctx.throttle.succeed(keys);
  const token = randomBytes(32).toString('base64url');
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + ctx.config.tokenTtlSeconds * 1000).toISOString();
  await ctx.store.db
    .insertInto('sessions')
    .values({ tokenHash: sha256(token), userId: user.id, expiresAt, createdAt: now.toISOString() })
    .execute();
  const pub = toPublic(user);
  await audit(ctx.store.db, toActor(pub), 'auth.login', 'user', user.id, { clientIp }, now);
  return { token, expiresAt, user: pub };
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** The actor behind a bearer token, or an UNAUTHENTICATED error. */
export async function authenticate(ctx: ServiceContext, token: string | undefined): Promise<Actor> {
  if (!token || token.length > 200) throw appError('UNAUTHENTICATED');
  const row = await ctx.store.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.userId')
    .select(['users.id', 'users.username', 'users.role', 'users.regionCode', 'users.enterpriseId', 'users.disabled', 'sessions.expiresAt'])
    .where('sessions.tokenHash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.disabled || row.expiresAt <= ctx.now().toISOString()) throw appError('UNAUTHENTICATED');
  return toActor(toPublic(row));
}

export async function logout(ctx: ServiceContext, token: string): Promise<void> {
  await ctx.store.db.deleteFrom('sessions').where('tokenHash', '=', sha256(token)).execute();
}

export async function createUser(
  ctx: ServiceContext,
  actor: Actor,
  input: { username: string; password: string; role: Role; regionCode?: string; enterpriseId?: string },
): Promise<PublicUser> {
  if (!can(actor, 'write:users')) throw appError('FORBIDDEN');
  if (!ROLES.includes(input.role)) throw appError('VALIDATION_FAILED', `unknown role '${input.role}'`);
  const scope = await resolveScope(ctx, input);
  const now = ctx.now();
  const user = {
    id: newId(now.getTime()),
    username: input.username,
    passwordHash: await hashPassword(input.password),
    role: input.role,
    regionCode: scope.regionCode,
    enterpriseId: scope.enterpriseId,
    disabled: 0,
    createdAt: now.toISOString(),
  };
  await ctx.store.db.transaction().execute(async (trx) => {
    const exists = await trx.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
    if (exists) throw appError('CONFLICT', `user '${input.username}' already exists`);
    await trx.insertInto('users').values(user).execute();
    await audit(trx, actor, 'user.create', 'user', user.id, { username: user.username, role: user.role, regionCode: user.regionCode, enterpriseId: user.enterpriseId }, now);
  });
  return toPublic(user);
}

/** A role's scope must name a region of the right level, or an enterprise that exists. */
async function resolveScope(
  ctx: ServiceContext,
  input: { role: Role; regionCode?: string; enterpriseId?: string },
): Promise<{ regionCode: string | null; enterpriseId: string | null }> {
  const kind = scopeKind(input.role);
  if (kind === 'province') {
    const code = input.regionCode ?? ctx.regions.province.code;
    if (code !== ctx.regions.province.code || input.enterpriseId) throw appError('INVALID_ROLE_SCOPE', `${input.role} is scoped to the province ${ctx.regions.province.code}`);
    return { regionCode: code, enterpriseId: null };
  }
  if (kind === 'city' || kind === 'county') {
    const region = input.regionCode ? ctx.regions.get(input.regionCode) : null;
    if (!region || region.level !== kind || input.enterpriseId) throw appError('INVALID_ROLE_SCOPE', `${input.role} needs the regionCode of a ${kind}`);
    return { regionCode: region.code, enterpriseId: null };
  }
  if (kind === 'enterprise') {
    const e = input.enterpriseId
      ? await ctx.store.db.selectFrom('enterprises').select('id').where('id', '=', input.enterpriseId).executeTakeFirst()
      : undefined;
    if (!e || input.regionCode) throw appError('INVALID_ROLE_SCOPE', 'enterprise-user needs the id of an existing enterprise');
    return { regionCode: null, enterpriseId: e.id };
  }
  if (input.regionCode || input.enterpriseId) throw appError('INVALID_ROLE_SCOPE', 'sensor users carry no scope');
  return { regionCode: null, enterpriseId: null };
}

/** Creates user `admin` on first start. Returns the password when it was generated (to print once). */
export async function ensureAdmin(ctx: ServiceContext): Promise<{ created: boolean; generatedPassword: string | null }> {
  const existing = await ctx.store.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirst();
  if (existing) return { created: false, generatedPassword: null };
  const password = ctx.config.adminPassword ?? generatePassword();
  const now = ctx.now();
  const id = newId(now.getTime());
  await ctx.store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('users')
      .values({ id, username: 'admin', passwordHash: await hashPassword(password), role: 'province-admin', regionCode: ctx.regions.province.code, enterpriseId: null, disabled: 0, createdAt: now.toISOString() })
      .execute();
    await audit(trx, null, 'user.bootstrap-admin', 'user', id, { username: 'admin' }, now);
  });
  return { created: true, generatedPassword: ctx.config.adminPassword ? null : password };
}

function toPublic(u: { id: string; username: string; role: string; regionCode: string | null; enterpriseId: string | null }): PublicUser {
  return { id: u.id, username: u.username, role: u.role as Role, regionCode: u.regionCode, enterpriseId: u.enterpriseId };
}

function toActor(u: PublicUser): Actor {
  return { userId: u.id, username: u.username, role: u.role, regionCode: u.regionCode, enterpriseId: u.enterpriseId };
}
