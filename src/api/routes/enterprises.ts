import type { FastifyPluginAsync } from 'fastify';
import { addDomain, addNetwork, createEnterprise, getEnterprise, listDomains, listEnterprises, listNetworks, type EnterpriseInput, type ServiceContext } from '../../services/index.ts';
import { actorOf } from '../app.ts';
import { idParam, pageOf, paging, regionCode } from '../schemas.ts';

const contact = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1, maxLength: 64 }, phone: { type: 'string', maxLength: 32 }, email: { type: 'string', format: 'email', maxLength: 128 }, role: { type: 'string', maxLength: 64 } },
  required: ['name'],
  additionalProperties: false,
} as const;

const enterprise = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    creditCode: { type: 'string' },
    industryCode: { type: 'string' },
    regionCode: { type: 'string' },
    cityCode: { type: ['string', 'null'] },
    countyCode: { type: ['string', 'null'] },
    classification: { type: ['string', 'null'] },
    grade: { type: ['string', 'null'] },
    contacts: { type: 'array', items: contact },
    createdAt: { type: 'string' },
  },
} as const;

const network = {
  type: 'object',
  properties: { id: { type: 'string' }, enterpriseId: { type: 'string' }, cidr: { type: 'string' }, family: { type: 'integer' }, prefix: { type: 'integer' }, createdAt: { type: 'string' } },
} as const;

export const enterpriseRoutes = (ctx: ServiceContext): FastifyPluginAsync => async (app) => {
  app.post(
    '/enterprises',
    {
      schema: {
        tags: ['enterprises'],
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            creditCode: { type: 'string', minLength: 1, maxLength: 32 },
            industryCode: { type: 'string', minLength: 1, maxLength: 8 },
            regionCode,
            classification: { type: 'string', maxLength: 64 },
            grade: { type: 'string', maxLength: 64 },
            contacts: { type: 'array', maxItems: 20, items: contact },
          },
          required: ['name', 'creditCode', 'industryCode', 'regionCode'],
          additionalProperties: false,
        },
        response: { 201: enterprise },
      },
    },
    async (req, reply) => reply.status(201).send(await createEnterprise(ctx, actorOf(req), req.body as EnterpriseInput)),
  );

  app.get(
    '/enterprises',
    {
      schema: {
        tags: ['enterprises'],
        querystring: { type: 'object', properties: { ...paging, region: regionCode, q: { type: 'string', maxLength: 100 } }, additionalProperties: false },
        response: { 200: pageOf(enterprise) },
      },
    },
    async (req) => listEnterprises(ctx, actorOf(req), req.query as object),
  );

  app.get('/enterprises/:id', { schema: { tags: ['enterprises'], params: idParam, response: { 200: enterprise } } }, async (req) =>
    getEnterprise(ctx, actorOf(req), (req.params as { id: string }).id),
  );

  app.post(
    '/enterprises/:id/networks',
    {
      schema: {
        tags: ['enterprises'],
        params: idParam,
        body: { type: 'object', properties: { cidr: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['cidr'], additionalProperties: false },
        response: { 201: network },
      },
    },
    async (req, reply) => reply.status(201).send(await addNetwork(ctx, actorOf(req), (req.params as { id: string }).id, (req.body as { cidr: string }).cidr)),
  );

  app.get('/enterprises/:id/networks', { schema: { tags: ['enterprises'], params: idParam, response: { 200: { type: 'object', properties: { items: { type: 'array', items: network } } } } } }, async (req) => ({
    items: await listNetworks(ctx, actorOf(req), (req.params as { id: string }).id),
  }));

  const domain = { type: 'object', properties: { id: { type: 'string' }, enterpriseId: { type: 'string' }, domain: { type: 'string' }, createdAt: { type: 'string' } } } as const;

  app.post(
    '/enterprises/:id/domains',
    {
      schema: {
        tags: ['enterprises'],
        params: idParam,
        body: { type: 'object', properties: { domain: { type: 'string', minLength: 1, maxLength: 253 } }, required: ['domain'], additionalProperties: false },
        response: { 201: domain },
      },
    },
    async (req, reply) => reply.status(201).send(await addDomain(ctx, actorOf(req), (req.params as { id: string }).id, (req.body as { domain: string }).domain)),
  );

  app.get('/enterprises/:id/domains', { schema: { tags: ['enterprises'], params: idParam, response: { 200: { type: 'object', properties: { items: { type: 'array', items: domain } } } } } }, async (req) => ({
    items: await listDomains(ctx, actorOf(req), (req.params as { id: string }).id),
  }));
};
