// The HTTP API: Fastify with strict schemas, one error shape ({error: {code, message}}) from the
// error table, bearer-token authentication, OpenAPI 3 at /openapi.json, and the dashboard at /.
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import { AppError, ERRORS, isAppError, type ErrorCode } from '../errors.ts';
import { findHostileText, type Actor } from '../model/index.ts';
import { authenticate, type ServiceContext } from '../services/index.ts';
import { validatorCompiler } from './validation.ts';
import { authRoutes } from './routes/auth.ts';
import { enterpriseRoutes } from './routes/enterprises.ts';
import { observationRoutes } from './routes/observations.ts';
import { inventoryRoutes } from './routes/inventory.ts';
import { advisoryRoutes } from './routes/advisories.ts';
import { regionRoutes } from './routes/regions.ts';
import { auditRoutes } from './routes/audit.ts';
import { warningRoutes } from './routes/warnings.ts';
import { riskRoutes } from './routes/risk.ts';
import { scanRoutes } from './routes/scans.ts';
import { honeypotRoutes } from './routes/honeypot.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export interface ApiOptions {
  version: string;
  logger?: boolean | object;
  /** Static dashboard files by URL path. */
  dashboard?: Map<string, { contentType: string; body: Uint8Array | string }>;
}

/** The actor of an authenticated request (routes behind `requireActor` always have one). */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new AppError('UNAUTHENTICATED');
  return req.actor;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function send(code: ErrorCode, message?: string) {
  return { status: ERRORS[code].status, body: { error: { code, message: message ?? ERRORS[code].message } } };
}

/** Maps anything thrown to a stable code; only the unexpected becomes INTERNAL (and is logged). */
function toErrorResponse(err: unknown): { status: number; body: { error: { code: string; message: string } } } & { internal?: boolean } {
  if (isAppError(err)) return { status: err.status, body: { error: { code: err.code, message: err.message } } };
  const e = err as { code?: string; statusCode?: number; validation?: unknown; message?: string };
  if (e.validation) return send('VALIDATION_FAILED', e.message);
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return send('BODY_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return send('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return send('MALFORMED_JSON', e.message);
  }
  if (err instanceof SyntaxError && e.statusCode === 400) return send('MALFORMED_JSON', e.message);
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return send('VALIDATION_FAILED', e.message);
  return { ...send('INTERNAL'), internal: true };
}

export async function buildApi(ctx: ServiceContext, opts: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: ctx.config.bodyLimitBytes,
    trustProxy: false,
    // Sensors post thousands of batches; one log line per request would drown the log. Errors still log.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false } },
  });
  app.setValidatorCompiler(validatorCompiler);
  // JSON only: text/plain is not a way in, and bytes that are not UTF-8 are refused, not mended.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new AppError('MALFORMED_JSON', 'the body is not valid UTF-8'), undefined);
      return;
    }
    parseJson(req, text, done);
  });
  // NUL and lone surrogates have no place in any field (PostgreSQL cannot store NUL in text; SQLite
  // stops LIKE patterns at it). Observation items are checked one by one in the service instead.
  app.addHook('preValidation', async (req) => {
    const where = findHostileText(req.params) ?? findHostileText(req.query) ?? (req.routeOptions.url === '/api/v1/observations' ? null : findHostileText(req.body));
    if (where) throw new AppError('VALIDATION_FAILED', `${where} contains a NUL character or an unpaired surrogate`);
  });
  app.decorateRequest('actor', null);

  app.setErrorHandler((err, req, reply) => {
    const r = toErrorResponse(err);
    if (r.internal) req.log.error({ err }, 'unexpected error');
    void reply.status(r.status).send(r.body);
  });
  app.setNotFoundHandler((_req, reply) => {
    const r = send('NOT_FOUND');
    void reply.status(r.status).send(r.body);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'otscope API', version: opts.version, description: 'Regional industrial-internet security monitoring platform' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  // Every /api/v1 route needs a valid bearer token unless it is marked public.
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/v1/') || (req.routeOptions.config as { public?: boolean } | undefined)?.public) return;
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    req.actor = await authenticate(ctx, token);
  });

  app.get('/api/health', { schema: { hide: false, security: [], response: { 200: { type: 'object', properties: { status: { type: 'string' }, version: { type: 'string' }, storage: { type: 'string' } } } } } }, async () => ({
    status: 'ok',
    version: opts.version,
    storage: ctx.store.dialect,
  }));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(authRoutes(ctx), { prefix: '/api/v1' });
  await app.register(enterpriseRoutes(ctx), { prefix: '/api/v1' });
  await app.register(observationRoutes(ctx), { prefix: '/api/v1' });
  await app.register(inventoryRoutes(ctx), { prefix: '/api/v1' });
  await app.register(advisoryRoutes(ctx), { prefix: '/api/v1' });
  await app.register(regionRoutes(ctx), { prefix: '/api/v1' });
  await app.register(auditRoutes(ctx), { prefix: '/api/v1' });
  await app.register(warningRoutes(ctx), { prefix: '/api/v1' });
  await app.register(riskRoutes(ctx), { prefix: '/api/v1' });
  await app.register(scanRoutes(ctx), { prefix: '/api/v1' });
  await app.register(honeypotRoutes(ctx), { prefix: '/api/v1' });

  if (opts.dashboard) {
    for (const [path, file] of opts.dashboard) {
      app.get(path, { schema: { hide: true } }, async (_req, reply) => reply.type(file.contentType).send(file.body));
    }
  }
  return app;
}
