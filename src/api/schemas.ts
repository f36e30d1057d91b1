// JSON Schemas shared by the routes. Bodies are strict: unknown fields and wrong types are refused.
export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
  required: ['error'],
} as const;

export const idParam = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
  required: ['id'],
  additionalProperties: false,
} as const;

export const paging = {
  page: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  pageSize: { type: 'integer', minimum: 1, maximum: 500 },
} as const;

/** An opaque keyset cursor (src/services/paging.ts); its content is checked by the list, as INVALID_CURSOR. */
export const cursor = { type: 'string', minLength: 1, maxLength: 512 } as const;

export const regionCode = { type: 'string', pattern: '^[0-9]{6}$' } as const;

export const identitySchema = {
  type: 'object',
  properties: {
    vendor: { type: 'string' },
    product: { type: 'string' },
    model: { type: 'string' },
    orderNumber: { type: 'string' },
    firmware: { type: 'string' },
    hardware: { type: 'string' },
    serial: { type: 'string' },
    moduleName: { type: 'string' },
    plantId: { type: 'string' },
    raw: { type: 'object' },
  },
} as const;

/** A page of items: `{items, total}`. */
export function pageOf(item: object) {
  return { type: 'object', properties: { items: { type: 'array', items: item }, total: { type: 'integer' } }, required: ['items', 'total'] } as const;
}

/** A page of a cursor-paged list: `{items, total, nextCursor, prevCursor}`. */
export function cursorPageOf(item: object) {
  const token = { type: ['string', 'null'] } as const;
  return {
    type: 'object',
    properties: { items: { type: 'array', items: item }, total: { type: 'integer' }, nextCursor: token, prevCursor: token },
    required: ['items', 'total', 'nextCursor', 'prevCursor'],
  } as const;
}
