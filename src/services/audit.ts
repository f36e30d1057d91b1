// Every mutating action writes one audit entry in the same transaction as the change itself.
import type { Kysely, Transaction } from 'kysely';
import { newId, type Actor } from '../model/index.ts';
import type { Database } from '../storage/index.ts';

export async function audit(
  db: Kysely<Database> | Transaction<Database>,
  actor: Actor | null,
  action: string,
  objectType: string,
  objectId: string | null,
  detail: Record<string, unknown> = {},
  at = new Date(),
): Promise<void> {
  await db
    .insertInto('auditLog')
    .values({
      id: newId(at.getTime()),
      at: at.toISOString(),
      actorId: actor?.userId ?? null,
      actorName: actor?.username ?? null,
      action,
      objectType,
      objectId,
      detail: JSON.stringify(detail),
    })
    .execute();
}
