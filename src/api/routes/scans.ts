// Platform scans (the platform probes its scope itself) and per-region exposure statistics. The
// scan queue runs with the API: it starts (resuming a scan left running) when the server is ready
// and stops, leaving a running scan to resume, when the server closes.
import type { FastifyPluginAsync } from 'fastify';
import { cancelScan, createScan, getScan, listScans, regionExposure, startScanRunner, SCAN_STATES, type ScanInput, type ScanQuery, type ScanRunner, type ServiceContext } from '../../services/index.ts';
import { actorOf } from '../app.ts';

const id = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id'], additionalProperties: false } as const;

const createBody = {
  type: 'object',
  properties: {
    targets: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 128 } },
    ports: { type: 'string', maxLength: 1000 },
    rate: { type: 'integer', minimum: 1, maximum: 100_000 },
    schedule: { type: 'object', properties: { everyMinutes: { type: 'integer', minimum: 1, maximum: 525_600 } }, required: ['everyMinutes'], additionalProperties: false },
    goneAfter: { type: 'integer', minimum: 1, maximum: 100 },
  },
  required: ['targets'],
  additionalProperties: false,
} as const;

export const scanRoutes = (ctx: ServiceContext): FastifyPluginAsync => async (app) => {
  let runner: ScanRunner | null = null;
  app.addHook('onReady', async () => void (runner = startScanRunner(ctx, { log: (line) => app.log.info(line) })));
  app.addHook('onClose', async () => runner?.stop());

  app.post(
    '/scans',
    {
      schema: {
        tags: ['scans'],
        description:
          'Queue a platform scan. targets: CIDRs, addresses, region codes (province or city) or enterprise:<id>; ports: "502,102" or "modbus:15020,…"; rate: new connections per second; schedule: run again every N minutes after each run; goneAfter: covering scans without an answer after which a service is reported gone (default 3). Every target outside 127.0.0.0/8 must lie inside the configured scan scope, and a city or county analyst\'s inside its region, or nothing is queued (403, the message names the target).',
        body: createBody,
      },
    },
    async (req, reply) => reply.status(201).send(await createScan(ctx, actorOf(req), req.body as ScanInput)),
  );
  app.get(
    '/scans',
    {
      schema: {
        tags: ['scans'],
        description: 'Platform scans in the actor\'s scope, newest first, with progress (finished pairs / all pairs) and counts.',
        querystring: {
          type: 'object',
          properties: { page: { type: 'integer', minimum: 1 }, pageSize: { type: 'integer', minimum: 1, maximum: 500 }, state: { type: 'string', enum: [...SCAN_STATES] } },
          additionalProperties: false,
        },
      },
    },
    async (req) => listScans(ctx, actorOf(req), req.query as ScanQuery),
  );
  app.get('/scans/:id', { schema: { tags: ['scans'], description: 'One platform scan: state, progress, counts, times.', params: id } }, async (req) =>
    getScan(ctx, actorOf(req), (req.params as { id: string }).id),
  );
  app.post('/scans/:id/cancel', { schema: { tags: ['scans'], description: 'Cancel a queued or running scan (a scheduled series ends with it).', params: id } }, async (req) =>
    cancelScan(ctx, actorOf(req), (req.params as { id: string }).id),
  );
  app.get(
    '/stats/regions/:code',
    {
      schema: {
        tags: ['stats'],
        description: 'Exposure of a region and of each child region (cities of the province, counties of a city): assets, vulnerable assets, assets per protocol, new and gone services in the last 7 days.',
        params: { type: 'object', properties: { code: { type: 'string', pattern: '^[0-9]{6}$' } }, required: ['code'], additionalProperties: false },
      },
    },
    async (req) => regionExposure(ctx, actorOf(req), (req.params as { code: string }).code),
  );
};
