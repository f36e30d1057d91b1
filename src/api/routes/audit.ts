import type { FastifyPluginAsync } from 'fastify';
import { listAudit, listEvents, type ServiceContext } from '../../services/index.ts';
import { actorOf } from '../app.ts';
import { pageOf, paging } from '../schemas.ts';

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

const auditEntry = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    at: { type: 'string' },
    actorId: { type: ['string', 'null'] },
    actorName: { type: ['string', 'null'] },
    action: { type: 'string' },
    objectType: { type: 'string' },
    objectId: { type: ['string', 'null'] },
    detail: { type: 'object', additionalProperties: true },
  },
} as const;

const event = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    severity: { type: 'string' },
    assetId: { type: ['string', 'null'] },
    ip: { type: ['string', 'null'] },
    cityCode: { type: ['string', 'null'] },
    countyCode: { type: ['string', 'null'] },
    enterpriseId: { type: ['string', 'null'] },
    source: { type: 'string' },
    summary: { type: 'string' },
    detail: { type: 'object', additionalProperties: true },
    occurredAt: { type: 'string' },
  },
} as const;

export const auditRoutes = (ctx: ServiceContext): FastifyPluginAsync => async (app) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        description: 'The append-only audit log, newest first (auditors and province admins).',
        querystring: { type: 'object', properties: { ...paging, action: text(64), actorName: text(64) }, additionalProperties: false },
        response: { 200: pageOf(auditEntry) },
      },
    },
    async (req) => listAudit(ctx, actorOf(req), req.query as object),
  );

  app.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        querystring: { type: 'object', properties: { ...paging, kind: text(64), ip: text(45) }, additionalProperties: false },
        response: { 200: pageOf(event) },
      },
    },
    async (req) => listEvents(ctx, actorOf(req), req.query as object),
  );
};
