import type { FastifyPluginAsync } from 'fastify';
import { appError } from '../../errors.ts';
import { ingestObservations, MAX_BATCH, type ServiceContext } from '../../services/index.ts';
import { actorOf } from '../app.ts';

export const observationRoutes = (ctx: ServiceContext): FastifyPluginAsync => async (app) => {
  app.post(
    '/observations',
    {
      schema: {
        tags: ['observations'],
        description: `A batch of up to ${MAX_BATCH} observations, as {observations: [...]} or a bare array. Each item is {ip, port, transport, protocol, observedAt, source, identity?, via?}; each is accepted or rejected on its own.`,
        body: {
          anyOf: [
            { type: 'array' },
            { type: 'object', properties: { observations: { type: 'array' } }, required: ['observations'], additionalProperties: false },
          ],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              accepted: { type: 'integer' },
              rejected: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, code: { type: 'string' }, message: { type: 'string' } } } },
              assets: { type: 'integer' },
              findings: { type: 'integer' },
            },
          },
        },
      },
    },
    async (req) => {
      const body = req.body as unknown[] | { observations: unknown[] };
      const items = Array.isArray(body) ? body : body.observations;
      if (items.length > MAX_BATCH) throw appError('BATCH_TOO_LARGE', `at most ${MAX_BATCH} observations per batch, got ${items.length}`);
      return ingestObservations(ctx, actorOf(req), items);
    },
  );
};
