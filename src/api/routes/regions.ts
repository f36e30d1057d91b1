import type { FastifyPluginAsync } from 'fastify';
import { listRegions, regionGeo, type ServiceContext } from '../../services/index.ts';
import { actorOf } from '../app.ts';

export const regionRoutes = (ctx: ServiceContext): FastifyPluginAsync => async (app) => {
  app.get('/regions', { schema: { tags: ['regions'] } }, async (req) => listRegions(ctx, actorOf(req)));
  app.get(
    '/regions/geo/:level',
    { schema: { tags: ['regions'], params: { type: 'object', properties: { level: { type: 'string', enum: ['province', 'city', 'county'] } }, required: ['level'] } } },
    async (req) => regionGeo(ctx, actorOf(req), (req.params as { level: string }).level),
  );
};
