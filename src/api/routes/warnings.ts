// Warnings (预警 → 整改 → 复核): the list, one warning in detail, the steps of the loop, remediation
// evidence and the bulletin (通报) as a Word document.
import type { FastifyPluginAsync } from 'fastify';
import { WARNING_STATES } from '../../model/index.ts';
import {
  MAX_EVIDENCE_BYTES,
  acknowledgeWarning,
  addEvidence,
  getEvidence,
  getWarning,
  issueWarning,
  listWarnings,
  remediateWarning,
  requestVerification,
  warningBulletin,
  type EvidenceInput,
  type ServiceContext,
} from '../../services/index.ts';
import { actorOf } from '../app.ts';
import { idParam, pageOf, paging } from '../schemas.ts';

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const nullableText = { type: ['string', 'null'] } as const;

const warningProperties = {
  id: { type: 'string' },
  enterpriseId: { type: 'string' },
  enterpriseName: nullableText,
  title: { type: 'string' },
  severity: { type: 'string' },
  state: { type: 'string' },
  findingCount: { type: 'integer' },
  deadline: nullableText,
  cityCode: nullableText,
  countyCode: nullableText,
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
} as const;

const warning = { type: 'object', properties: warningProperties } as const;

const evidence = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, contentType: { type: 'string' }, size: { type: 'integer' }, sha256: { type: 'string' }, note: nullableText, uploadedBy: nullableText, uploadedAt: { type: 'string' } },
} as const;

const detail = {
  type: 'object',
  properties: {
    ...warningProperties,
    issuedAt: nullableText,
    verifyRequestedAt: nullableText,
    overdueAt: nullableText,
    resolvedAt: nullableText,
    overdue: { type: 'boolean' },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          ip: { type: 'string' },
          port: { type: 'integer' },
          serviceId: { type: 'string' },
          advisoryId: { type: 'string' },
          advisoryTitle: nullableText,
          cves: { type: 'array', items: { type: 'string' } },
          severity: { type: 'string' },
          cvss: { type: ['number', 'null'] },
          status: { type: 'string' },
          product: nullableText,
          firmware: nullableText,
        },
      },
    },
    events: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'string' }, kind: { type: 'string' }, severity: { type: 'string' }, ip: nullableText, summary: { type: 'string' }, occurredAt: { type: 'string' } } },
    },
    transitions: {
      type: 'array',
      items: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, actor: nullableText, note: nullableText, at: { type: 'string' } } },
    },
    evidence: { type: 'array', items: evidence },
    escalations: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          reason: { type: 'string' },
          recipients: { type: 'array', items: { type: 'object', properties: { username: { type: 'string' }, role: { type: 'string' }, regionCode: nullableText } } },
          at: { type: 'string' },
        },
      },
    },
    notifications: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string' },
          channel: { type: 'string' },
          recipient: { type: 'string' },
          status: { type: 'string' },
          attempts: { type: 'integer' },
          lastError: nullableText,
          createdAt: { type: 'string' },
          finishedAt: nullableText,
        },
      },
    },
  },
} as const;

const NOTE_MAX = 2000;
const optionalNote = { type: 'object', properties: { note: { type: 'string', maxLength: NOTE_MAX } }, additionalProperties: false } as const;
const requiredNote = { type: 'object', properties: { note: text(NOTE_MAX) }, required: ['note'], additionalProperties: false } as const;

export const warningRoutes = (ctx: ServiceContext): FastifyPluginAsync => async (app) => {
  app.get(
    '/warnings',
    {
      schema: {
        tags: ['warnings'],
        querystring: {
          type: 'object',
          properties: { ...paging, state: { type: 'string', enum: [...WARNING_STATES] }, enterprise: text(64) },
          additionalProperties: false,
        },
        response: { 200: pageOf(warning) },
      },
    },
    async (req) => listWarnings(ctx, actorOf(req), req.query as object),
  );

  app.get('/warnings/:id', { schema: { tags: ['warnings'], params: idParam, response: { 200: detail } } }, async (req) => getWarning(ctx, actorOf(req), (req.params as { id: string }).id));

  const steps = [
    ['issue', optionalNote, issueWarning],
    ['acknowledge', requiredNote, acknowledgeWarning],
    ['remediate', requiredNote, remediateWarning],
    ['verify', optionalNote, requestVerification],
  ] as const;
  for (const [name, body, run] of steps) {
    app.post(`/warnings/:id/${name}`, { schema: { tags: ['warnings'], params: idParam, body, response: { 200: detail } } }, async (req) =>
      run(ctx, actorOf(req), (req.params as { id: string }).id, (req.body ?? {}) as { note: string }),
    );
  }

  app.post(
    '/warnings/:id/evidence',
    {
      // base64 is 4/3 of the bytes; the body limit must let the largest accepted file through.
      bodyLimit: Math.ceil(MAX_EVIDENCE_BYTES / 3) * 4 + 64 * 1024,
      schema: {
        tags: ['warnings'],
        params: idParam,
        body: {
          type: 'object',
          properties: {
            name: text(200),
            contentType: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}$' },
            content: { type: 'string', minLength: 1 },
            note: { type: 'string', maxLength: NOTE_MAX },
          },
          required: ['name', 'contentType', 'content'],
          additionalProperties: false,
        },
        response: { 201: evidence },
      },
    },
    async (req, reply) => reply.status(201).send(await addEvidence(ctx, actorOf(req), (req.params as { id: string }).id, req.body as EvidenceInput)),
  );

  app.get(
    '/warnings/:id/evidence/:evidenceId',
    {
      schema: {
        tags: ['warnings'],
        params: { type: 'object', properties: { id: text(64), evidenceId: text(64) }, required: ['id', 'evidenceId'], additionalProperties: false },
      },
    },
    async (req, reply) => {
      const p = req.params as { id: string; evidenceId: string };
      const e = await getEvidence(ctx, actorOf(req), p.id, p.evidenceId);
      // Served as a download, never rendered: the uploader chose the content type.
      return reply
        .type('application/octet-stream')
        .header('content-disposition', `attachment; filename="evidence"; filename*=UTF-8''${encodeURIComponent(e.name)}`)
        .header('x-content-type-options', 'nosniff')
        .header('digest', `sha-256=${Buffer.from(e.sha256, 'hex').toString('base64')}`)
        .send(e.bytes);
    },
  );

  app.get('/warnings/:id/bulletin.docx', { schema: { tags: ['warnings'], params: idParam } }, async (req, reply) => {
    const b = await warningBulletin(ctx, actorOf(req), (req.params as { id: string }).id);
    return reply
      .type('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
      .header('content-disposition', `attachment; filename="${b.filename}"`)
      .send(b.bytes);
  });
};
