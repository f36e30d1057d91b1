export { openStore, chunkSize, type Store, type StoreOptions, type DialectName } from './db.ts';
export { bulkWrite, textArray } from './bulk.ts';
export { reasonKey } from './match-reasons.ts';
export { startMaintenance } from './maintenance.ts';
export type * from './schema.ts';
