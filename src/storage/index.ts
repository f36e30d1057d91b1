export { openStore, chunkSize, type Store, type StoreOptions, type DialectName } from './db.ts';
export { bulkSpec, bulkWrite, bulkWriteAll, textArray, type BulkSpec } from './bulk.ts';
export { reasonKey } from './match-reasons.ts';
export { startMaintenance } from './maintenance.ts';
export type * from './schema.ts';
