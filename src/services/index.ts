// Use-cases: (context, actor, input) → access check → storage/engines. The API and CLI call only these.
export type { ServiceContext } from './context.ts';
export { Attribution, type NetworkEntry, type Placement } from './attribution.ts';
export { AdvisoryMatcher } from './matcher.ts';
export { login, logout, authenticate, createUser, ensureAdmin, type PublicUser } from './auth.ts';
export { createEnterprise, listEnterprises, getEnterprise, addNetwork, listNetworks, addDomain, listDomains, allNetworks, type Enterprise, type EnterpriseInput } from './enterprises.ts';
export { ingestObservations, MAX_BATCH, type IngestResult } from './observations.ts';
export { recount } from './counters.ts';
export { listAssets, type AssetQuery, type AssetView } from './assets.ts';
export { listFindings, type FindingQuery } from './findings.ts';
export { listWarnings, type WarningQuery } from './warnings.ts';
export { overview } from './stats.ts';
export { importAdvisory, getAdvisory, importBundled, loadMatcher } from './advisories.ts';
export { listRegions, regionGeo } from './regions.ts';
export { MAX_PAGE_SIZE } from './paging.ts';
export { listAudit, listEvents, type AuditEntry, type EventView } from './audit-log.ts';
