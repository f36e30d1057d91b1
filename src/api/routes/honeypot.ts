import type { FastifyPluginAsync } from 'fastify';
import { appError } from '../../errors.ts';
import { OPERATIONS } from '../../honeypot/index.ts';
import {
  honeypotActivity, honeypotSource, ingestHoneypotEvents, listHoneypotEvents, MAX_HONEYPOT_BATCH, topHoneypotSources, type ServiceContext,
} from '../../services/index.ts';
import { actorOf } from '../app.ts';
import { pageOf, paging } from '../schemas.ts';

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const anyObject = { type: 'object', additionalProperties: true } as const;

const eventView = {
  type: 'object',
  properties: { id: { type: 'string' }, ip: { type: ['string', 'null'] }, severity: { type: 'string' }, summary: { type: 'string' }, occurredAt: { type: 'string' }, detail: anyObject },
} as const;

const source = {
  type: 'object',
  properties: {
    ip: { type: 'string' },
    events: { type: 'integer' },
    firstSeen: { type: 'string' },
    lastSeen: { type: 'string' },
    classification: { type: ['string', 'null'] },
    confidence: { type: ['integer', 'null'] },
    protocols: { type: 'array', items: { type: 'string' } },
    operations: { type: 'object', additionalProperties: { type: 'integer' } },
  },
} as const;

export const honeypotRoutes = (ctx: ServiceContext): FastifyPluginAsync => async (app) => {
  app.post(
    '/honeypot/events',
    {
      schema: {
        tags: ['honeypot'],
        description: `A sensor's batch of up to ${MAX_HONEYPOT_BATCH} interaction events, as {events: [...]} or a bare array (sensor role). Each is accepted or rejected on its own; resent events are counted as duplicates, not stored twice.`,
        body: {
          anyOf: [{ type: 'array' }, { type: 'object', properties: { events: { type: 'array' } }, required: ['events'], additionalProperties: false }],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              accepted: { type: 'integer' },
              duplicates: { type: 'integer' },
              sources: { type: 'integer' },
              rejected: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, code: { type: 'string' }, message: { type: 'string' } } } },
            },
          },
        },
      },
    },
    async (req) => {
      const body = req.body as unknown[] | { events: unknown[] };
      const items = Array.isArray(body) ? body : body.events;
      if (items.length > MAX_HONEYPOT_BATCH) throw appError('BATCH_TOO_LARGE', `at most ${MAX_HONEYPOT_BATCH} events per batch, got ${items.length}`);
      return ingestHoneypotEvents(ctx, actorOf(req), items);
    },
  );

  app.get(
    '/honeypot/events',
    {
      schema: {
        tags: ['honeypot'],
        description: 'Honeypot interactions, newest first, filtered by source, protocol or operation.',
        querystring: {
          type: 'object',
          properties: { ...paging, ip: text(45), protocol: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,31}$' }, operation: { type: 'string', enum: [...OPERATIONS] } },
          additionalProperties: false,
        },
        response: { 200: pageOf(eventView) },
      },
    },
    async (req) => listHoneypotEvents(ctx, actorOf(req), req.query as object),
  );

  app.get(
    '/honeypot/sources',
    {
      schema: {
        tags: ['honeypot'],
        description: 'The sources with the most honeypot interactions since `since` (default 30 days), with their indicator.',
        querystring: { type: 'object', properties: { since: text(40), limit: { type: 'integer', minimum: 1, maximum: 100 } }, additionalProperties: false },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: source } } } },
      },
    },
    async (req) => ({ items: await topHoneypotSources(ctx, actorOf(req), req.query as object) }),
  );

  app.get(
    '/honeypot/activity',
    {
      schema: {
        tags: ['honeypot'],
        description: 'Operations per protocol over time, in hour or day buckets.',
        querystring: { type: 'object', properties: { since: text(40), bucket: { type: 'string', enum: ['hour', 'day'] } }, additionalProperties: false },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: { type: 'object', properties: { at: { type: 'string' }, protocol: { type: 'string' }, operation: { type: 'string' }, count: { type: 'integer' } } } } },
          },
        },
      },
    },
    async (req) => ({ items: await honeypotActivity(ctx, actorOf(req), req.query as object) }),
  );

  app.get(
    '/honeypot/sources/:ip',
    {
      schema: {
        tags: ['honeypot'],
        description: 'One source and everything else the platform holds about it: its indicator, honeypot events, other events, assets and services at that address.',
        params: { type: 'object', properties: { ip: text(45) }, required: ['ip'] },
        response: {
          200: {
            type: 'object',
            properties: {
              ip: { type: 'string' },
              indicator: { anyOf: [{ type: 'null' }, anyObject] },
              honeypotEvents: { type: 'array', items: eventView },
              otherEvents: { type: 'array', items: anyObject },
              assets: { type: 'array', items: anyObject },
              observations: { type: 'integer' },
            },
          },
        },
      },
    },
    async (req) => honeypotSource(ctx, actorOf(req), (req.params as { ip: string }).ip),
  );
};
