import type { FastifyPluginAsync } from 'fastify';
import { getAdvisory, importAdvisories, importAdvisory, type ServiceContext } from '../../services/index.ts';
import { actorOf } from '../app.ts';

// The outline of a CSAF 2.0 document (OASIS CSAF v2.0 §3.1): these three members and no others.
const CSAF = {
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
} as const;

// The outline of a CVE record (CVE Record Format 5.x, CVE_Record_Format.json: dataType, dataVersion,
// cveMetadata, containers and no other top-level member).
const CVE_RECORD = {
  type: 'object',
  properties: {
    dataType: { const: 'CVE_RECORD' },
    dataVersion: { type: 'string', pattern: '^5\\.\\d+(\\.\\d+)?$' },
    cveMetadata: {
      type: 'object',
      properties: { cveId: { type: 'string', pattern: '^CVE-[0-9]{4}-[0-9]{4,19}$' }, state: { enum: ['PUBLISHED', 'REJECTED'] } },
      required: ['cveId', 'state'],
    },
    containers: {
      type: 'object',
      properties: { cna: { type: 'object', properties: { affected: { type: 'array', maxItems: 2000 } } }, adp: { type: 'array', items: { type: 'object' } } },
      required: ['cna'],
    },
  },
  required: ['dataType', 'dataVersion', 'cveMetadata', 'containers'],
  additionalProperties: false,
} as const;

// A CNVD share file travels as one JSON string holding the XML: the API stays JSON-only (app.ts),
// and the string's shape (an XML document) tells the format like the objects' shapes do.
const CNVD_XML = { type: 'string', minLength: 1, maxLength: 16 * 1024 * 1024, pattern: '^\\s*<' } as const;

export const advisoryRoutes = (ctx: ServiceContext): FastifyPluginAsync => async (app) => {
  app.post(
    '/advisories',
    {
      schema: {
        tags: ['advisories'],
        description:
          'Import advisories. application/json: one CSAF 2.0 document or one CVE JSON 5 record (told apart by shape), answered {format, advisory, created, rematched, newFindings}. ' +
          'A JSON string holding a CNVD share file (<vulnerabilitys>) or one <vulnerability>: answered {format, items: [...], refused: [{index, reason}]}. ' +
          'Importing the same record again changes nothing; a newer revision replaces the old one and re-matches only its vendors. What the importer could not understand is listed per product in advisory.problems.',
        body: { anyOf: [CSAF, CVE_RECORD, CNVD_XML] },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      if (typeof req.body === 'string') {
        const out = await importAdvisories(ctx, actor, req.body);
        return reply.status(out.items.some((i) => i.created) ? 201 : 200).send(out);
      }
      const out = await importAdvisory(ctx, actor, req.body);
      return reply.status(out.created ? 201 : 200).send(out);
    },
  );

  app.get('/advisories/:id', { schema: { tags: ['advisories'], params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id'] } } }, async (req) =>
    getAdvisory(ctx, actorOf(req), (req.params as { id: string }).id),
  );
};
