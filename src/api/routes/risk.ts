import type { FastifyPluginAsync } from 'fastify';
import { assetRisk, enterpriseRisk, regionRisk, topAssetRisks, type ServiceContext } from '../../services/index.ts';
import { actorOf } from '../app.ts';

const id = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id'], additionalProperties: false } as const;

export const riskRoutes = (ctx: ServiceContext): FastifyPluginAsync => async (app) => {
  app.get('/risk/assets/:id', { schema: { tags: ['risk'], description: 'Risk score (0–100) of one asset with its factors, weights and points.', params: id } }, async (req) =>
    assetRisk(ctx, actorOf(req), (req.params as { id: string }).id),
  );
  app.get('/risk/enterprises/:id', { schema: { tags: ['risk'], description: 'Risk score of an enterprise: its worst assets and overdue warnings.', params: id } }, async (req) =>
    enterpriseRisk(ctx, actorOf(req), (req.params as { id: string }).id),
  );
  app.get(
    '/risk/regions/:code',
    { schema: { tags: ['risk'], description: 'Risk score of a province, city or county in the actor\'s scope.', params: { type: 'object', properties: { code: { type: 'string', pattern: '^[0-9]{6}$' } }, required: ['code'], additionalProperties: false } } },
    async (req) => regionRisk(ctx, actorOf(req), (req.params as { code: string }).code),
  );
  app.get(
    '/risk/assets',
    {
      schema: {
        tags: ['risk'],
        description: 'The highest-scoring assets in scope (top N), optionally within one region.',
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 100 }, region: { type: 'string', pattern: '^[0-9]{6}$' } }, additionalProperties: false },
      },
    },
    async (req) => topAssetRisks(ctx, actorOf(req), req.query as { limit?: number; region?: string }),
  );
};
