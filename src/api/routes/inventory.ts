// Read side of the spine: assets, findings and the overview statistics (warnings: warnings.ts).
import type { FastifyPluginAsync } from 'fastify';
import { listAssets, listFindings, overview, type ServiceContext } from '../../services/index.ts';
import { actorOf } from '../app.ts';
import { cursor, cursorPageOf, identitySchema, pageOf, paging, regionCode } from '../schemas.ts';

const service = {
  type: 'object',
  properties: { port: { type: 'integer' }, transport: { type: 'string' }, protocol: { type: 'string' }, firstSeen: { type: 'string' }, lastSeen: { type: 'string' } },
} as const;

const asset = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    ip: { type: 'string' },
    regionCode: { type: ['string', 'null'] },
    provinceCode: { type: ['string', 'null'] },
    cityCode: { type: ['string', 'null'] },
    countyCode: { type: ['string', 'null'] },
    enterpriseId: { type: ['string', 'null'] },
    enterpriseName: { type: ['string', 'null'] },
    honeypot: { type: 'boolean' },
    firstSeen: { type: 'string' },
    lastSeen: { type: 'string' },
    findingCount: { type: 'integer' },
    services: { type: 'array', items: service },
    identity: identitySchema,
  },
} as const;

const finding = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    ip: { type: 'string' },
    port: { type: 'integer' },
    assetId: { type: 'string' },
    serviceId: { type: 'string' },
    advisoryId: { type: 'string' },
    advisoryTitle: { type: ['string', 'null'] },
    cves: { type: 'array', items: { type: 'string' } },
    confidence: { type: 'string' },
    reason: { type: 'string' },
    severity: { type: 'string' },
    cvss: { type: ['number', 'null'] },
    status: { type: 'string' },
    enterpriseId: { type: ['string', 'null'] },
    cityCode: { type: ['string', 'null'] },
    countyCode: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

export const inventoryRoutes = (ctx: ServiceContext): FastifyPluginAsync => async (app) => {
  app.get(
    '/assets',
    {
      schema: {
        tags: ['assets'],
        description:
          'Assets in scope, ordered by address. Follow nextCursor / prevCursor (pass it as cursor, with the same filters) to walk the list at the same cost at any depth; page addresses a page by number and cannot be combined with cursor.',
        querystring: {
          type: 'object',
          properties: { ...paging, cursor, region: regionCode, enterprise: text(64), protocol: text(32), vendor: text(128), q: text(128) },
          additionalProperties: false,
        },
        response: { 200: cursorPageOf(asset) },
      },
    },
    async (req) => listAssets(ctx, actorOf(req), req.query as object),
  );

  app.get(
    '/findings',
    {
      schema: {
        tags: ['findings'],
        querystring: {
          type: 'object',
          properties: {
            ...paging,
            ip: text(45),
            cve: { type: 'string', pattern: '^CVE-\\d{4}-\\d{4,}$' },
            enterprise: text(64),
            confidence: { type: 'string', enum: ['confirmed', 'likely', 'possible'] },
            status: { type: 'string', enum: ['open', 'fixed'] },
          },
          additionalProperties: false,
        },
        response: { 200: pageOf(finding) },
      },
    },
    async (req) => listFindings(ctx, actorOf(req), req.query as object),
  );

  const count = { type: 'integer' } as const;
  app.get(
    '/stats/overview',
    {
      schema: {
        tags: ['stats'],
        response: {
          200: {
            type: 'object',
            properties: {
              totals: { type: 'object', properties: { assets: count, vulnerableAssets: count, findings: count, events: count, enterprises: count, openWarnings: count } },
              cities: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' }, assets: count, vulnerableAssets: count, events: count } } },
              protocols: { type: 'array', items: { type: 'object', properties: { protocol: { type: 'string' }, assets: count } } },
              vendors: { type: 'array', items: { type: 'object', properties: { vendor: { type: 'string' }, assets: count } } },
            },
          },
        },
      },
    },
    async (req) => overview(ctx, actorOf(req)),
  );
};
