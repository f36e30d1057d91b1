import type { FastifyPluginAsync } from 'fastify';
import { ROLES, type Role } from '../../model/index.ts';
import { createUser, login, logout, type ServiceContext } from '../../services/index.ts';
import { actorOf } from '../app.ts';
import { regionCode } from '../schemas.ts';

const user = {
  type: 'object',
  properties: { id: { type: 'string' }, username: { type: 'string' }, role: { type: 'string' }, regionCode: { type: ['string', 'null'] }, enterpriseId: { type: ['string', 'null'] } },
} as const;

export const authRoutes = (ctx: ServiceContext): FastifyPluginAsync => async (app) => {
  app.post(
    '/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        security: [],
        body: {
          type: 'object',
          properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 256 } },
          required: ['username', 'password'],
          additionalProperties: false,
        },
        response: { 200: { type: 'object', properties: { token: { type: 'string' }, expiresAt: { type: 'string' }, user } } },
      },
    },
    async (req) => login(ctx, req.body as { username: string; password: string }, req.ip),
  );

  app.post('/auth/logout', { schema: { tags: ['auth'] } }, async (req, reply) => {
    await logout(ctx, req.headers.authorization!.slice(7).trim());
    return reply.status(204).send();
  });

  app.get('/auth/me', { schema: { tags: ['auth'], response: { 200: user } } }, async (req) => {
    const a = actorOf(req);
    return { id: a.userId, username: a.username, role: a.role, regionCode: a.regionCode, enterpriseId: a.enterpriseId };
  });

  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        body: {
          type: 'object',
          properties: {
            username: { type: 'string', pattern: '^[A-Za-z0-9_.@-]{1,64}$' },
            password: { type: 'string', minLength: 8, maxLength: 256 },
            role: { type: 'string', enum: [...ROLES] },
            regionCode,
            enterpriseId: { type: 'string', minLength: 1, maxLength: 64 },
          },
          required: ['username', 'password', 'role'],
          additionalProperties: false,
        },
        response: { 201: user },
      },
    },
    async (req, reply) => reply.status(201).send(await createUser(ctx, actorOf(req), req.body as { username: string; password: string; role: Role; regionCode?: string; enterpriseId?: string })),
  );
};
