// Security events (identity changes now; detections, honeypot interactions and exposure changes
// as those engines arrive), written with their counters.
import type { Transaction } from 'kysely';
import { newId, type Severity } from '../model/index.ts';
import { bulkWrite, type Database } from '../storage/index.ts';
import type { ServiceContext } from './context.ts';
import type { Placement } from './attribution.ts';
import type { CounterDeltas } from './counters.ts';

export interface NewEvent {
  kind: string;
  severity: Severity;
  assetId: string | null;
  ip: string | null;
  place: Placement;
  source: string;
  summary: string;
  detail: Record<string, unknown>;
  occurredAt: string;
}

export async function recordEvents(ctx: ServiceContext, trx: Transaction<Database>, events: NewEvent[], counters: CounterDeltas, nowIso: string): Promise<void> {
  const rows = events.map((e) => ({
    id: newId(),
    kind: e.kind,
    severity: e.severity,
    assetId: e.assetId,
    ip: e.ip,
    provinceCode: e.place.provinceCode,
    cityCode: e.place.cityCode,
    countyCode: e.place.countyCode,
    enterpriseId: e.place.enterpriseId,
    source: e.source,
    summary: e.summary,
    detail: JSON.stringify(e.detail),
    occurredAt: e.occurredAt,
    createdAt: nowIso,
  }));
  for (const e of events) counters.add('events', '', e.place, 1);
  await bulkWrite(ctx.store, trx, rows, (chunk) => trx.insertInto('events').values(chunk));
}
