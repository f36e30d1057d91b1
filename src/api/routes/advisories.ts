import type { FastifyPluginAsync } from 'fastify';
import { getAdvisory, importAdvisory, type ServiceContext } from '../../services/index.ts';
import { actorOf } from '../app.ts';

export const advisoryRoutes = (ctx: ServiceContext): FastifyPluginAsync => async (app) => {
  app.post(
    '/advisories',
    {
      schema: {
        tags: ['advisories'],
        description: 'Import one CSAF 2.0 advisory. Importing the same document again changes nothing; a newer revision replaces the old one and re-matches only its vendors.',
        // The outline of a CSAF 2.0 document (OASIS CSAF v2.0 §3.1): these three members and no others.
        body: {
          type: 'object',
          properties: {
            document: {
              type: 'object',
              properties: {
                csaf_version: { const: '2.0' },
                category: { type: 'string', minLength: 1 },
                title: { type: 'string', minLength: 1, maxLength: 1000 },
                publisher: { type: 'object' },
                tracking: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id'] },
              },
              required: ['csaf_version', 'category', 'title', 'publisher', 'tracking'],
            },
            product_tree: { type: 'object' },
            vulnerabilities: { type: 'array', items: { type: 'object' } },
          },
          required: ['document'],
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const out = await importAdvisory(ctx, actorOf(req), req.body);
      return reply.status(out.created ? 201 : 200).send(out);
    },
  );

  app.get('/advisories/:id', { schema: { tags: ['advisories'], params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id'] } } }, async (req) =>
    getAdvisory(ctx, actorOf(req), (req.params as { id: string }).id),
  );
};
