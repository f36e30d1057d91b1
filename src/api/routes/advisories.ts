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
        body: { type: 'object', properties: { document: { type: 'object' }, product_tree: { type: 'object' }, vulnerabilities: { type: 'array' } }, required: ['document'] },
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
