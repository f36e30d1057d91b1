// The one schema, as Kysely sees it (camelCase here, snake_case in the database through
// CamelCasePlugin). Times are ISO-8601 UTC text; JSON is text; booleans are 0/1 integers —
// the same representation on SQLite and PostgreSQL, so repositories never branch on dialect.
export interface RegionTable {
  code: string;
  name: string;
  level: 'province' | 'city' | 'county';
  parentCode: string | null;
  provinceCode: string;
  cityCode: string | null;
  countyCode: string | null;
}

export interface RegionIpRangeTable {
  startKey: string;
  endKey: string;
  provinceCode: string;
  cityCode: string | null;
  isp: string | null;
}

export interface EnterpriseTable {
  id: string;
  name: string;
  creditCode: string;
  industryCode: string;
  regionCode: string;
  provinceCode: string;
  cityCode: string | null;
  countyCode: string | null;
  classification: string | null;
  grade: string | null;
  /** JSON array of {name, phone?, email?, role?}. */
  contacts: string;
  createdAt: string;
  updatedAt: string;
}

export interface EnterpriseNetworkTable {
  id: string;
  enterpriseId: string;
  cidr: string;
  family: number;
  prefix: number;
  startKey: string;
  endKey: string;
  createdAt: string;
}

export interface EnterpriseDomainTable {
  id: string;
  enterpriseId: string;
  domain: string;
  createdAt: string;
}

export interface AssetTable {
  id: string;
  ip: string;
  ipKey: string;
  provinceCode: string | null;
  cityCode: string | null;
  countyCode: string | null;
  enterpriseId: string | null;
  /** Identity summary of the asset (from its most recently identified service), for filters. */
  vendor: string | null;
  product: string | null;
  model: string | null;
  firmware: string | null;
  honeypot: number;
  firstSeen: string;
  lastSeen: string;
}

export interface ServiceTable {
  id: string;
  assetId: string;
  port: number;
  transport: string;
  protocol: string;
  firstSeen: string;
  lastSeen: string;
}

export interface IdentityTable {
  serviceId: string;
  assetId: string;
  vendor: string | null;
  /** Normalised vendor, so a new advisory re-matches only its vendors' identities. */
  vendorKey: string | null;
  product: string | null;
  model: string | null;
  orderNumber: string | null;
  firmware: string | null;
  hardware: string | null;
  serial: string | null;
  moduleName: string | null;
  plantId: string | null;
  /** JSON object of protocol-specific fields. */
  raw: string;
  /** Hash of the identity fields, to notice a change cheaply. */
  digest: string;
  observedAt: string;
}

export interface ObservationTable {
  /** Content hash: the same evidence sent twice is stored once. */
  id: string;
  assetId: string;
  ip: string;
  port: number;
  transport: string;
  protocol: string;
  source: string;
  via: string | null;
  observedAt: string;
  receivedAt: string;
  identity: string;
}

export interface AdvisoryTable {
  id: string;
  title: string;
  publisher: string | null;
  initialRelease: string | null;
  currentRelease: string | null;
  severity: string;
  maxCvss: number | null;
  /** JSON array of the advisory's CVE records (id, cvss, cwe, remediations, knownExploited). */
  cves: string;
  /** JSON: the normalised product entries used for matching. */
  products: string;
  /** JSON: what the importer could not understand, per product entry. */
  problems: string;
  /** The original CSAF document. */
  document: string;
  importedAt: string;
}

export interface FindingTable {
  id: string;
  assetId: string;
  serviceId: string;
  advisoryId: string;
  productId: string;
  ip: string;
  port: number;
  provinceCode: string | null;
  cityCode: string | null;
  countyCode: string | null;
  enterpriseId: string | null;
  /** JSON array of CVE ids. */
  cves: string;
  confidence: string;
  /** Key of the sentence in match_reasons (reasonKey). */
  reason: string;
  severity: string;
  cvss: number | null;
  status: string;
  createdAt: string;
  updatedAt: string;
}

/** Why findings matched, each sentence once (see match-reasons.ts). */
export interface MatchReasonTable {
  key: string;
  reason: string;
}

export interface EventTable {
  id: string;
  kind: string;
  severity: string;
  assetId: string | null;
  ip: string | null;
  provinceCode: string | null;
  cityCode: string | null;
  countyCode: string | null;
  enterpriseId: string | null;
  source: string;
  summary: string;
  detail: string;
  occurredAt: string;
  createdAt: string;
}

export interface IndicatorTable {
  id: string;
  type: string;
  value: string;
  source: string;
  firstSeen: string;
  lastSeen: string;
  confidence: number;
  detail: string;
}

export interface WarningTable {
  id: string;
  enterpriseId: string;
  provinceCode: string | null;
  cityCode: string | null;
  countyCode: string | null;
  title: string;
  severity: string;
  state: string;
  deadline: string | null;
  createdAt: string;
  updatedAt: string;
  /** Set by migration 003 (the warning loop); null until the step happens. */
  issuedAt: string | null;
  /** When verification was last asked for: only evidence observed after it counts. */
  verifyRequestedAt: string | null;
  overdueAt: string | null;
  resolvedAt: string | null;
}

export interface WarningFindingTable {
  warningId: string;
  findingId: string;
}

export interface UserTable {
  id: string;
  username: string;
  passwordHash: string;
  role: string;
  regionCode: string | null;
  enterpriseId: string | null;
  disabled: number;
  createdAt: string;
}

export interface SessionTable {
  /** SHA-256 of the bearer token; the token itself is never stored. */
  tokenHash: string;
  userId: string;
  expiresAt: string;
  createdAt: string;
}

export interface AuditTable {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  detail: string;
}

/**
 * Running totals behind the overview, kept by the writers in the same transaction as the rows they
 * count, so the map does not scan a million assets per request. Region rows carry
 * enterpriseId '*' (everything in that city/county); enterprise rows carry the enterprise's id.
 * Empty string stands for "no city/county" so the primary key never holds a NULL.
 */
export interface StatCounterTable {
  metric: string;
  key: string;
  provinceCode: string;
  cityCode: string;
  countyCode: string;
  enterpriseId: string;
  n: number;
}

export interface WarningTransitionTable {
  id: string;
  warningId: string;
  fromState: string;
  toState: string;
  /** Null for the platform itself (verification by evidence, the deadline job). */
  actorId: string | null;
  actorName: string | null;
  note: string | null;
  at: string;
}

export interface WarningEvidenceTable {
  id: string;
  warningId: string;
  name: string;
  contentType: string;
  size: number;
  /** Hex SHA-256 of the decoded bytes. */
  sha256: string;
  /** The bytes, base64 (text on both dialects). */
  content: string;
  note: string | null;
  uploadedBy: string | null;
  uploadedAt: string;
}

export interface WarningEscalationTable {
  id: string;
  warningId: string;
  reason: string;
  /** JSON array of {userId, username, role, regionCode}. */
  recipients: string;
  at: string;
}

export interface NotificationTable {
  id: string;
  warningId: string | null;
  /** What happened: warning-issued, warning-overdue, warning-resolved, warning-reopened. */
  kind: string;
  channel: 'email' | 'webhook';
  recipient: string;
  subject: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface Database {
  statCounters: StatCounterTable;
  regions: RegionTable;
  regionIpRanges: RegionIpRangeTable;
  enterprises: EnterpriseTable;
  enterpriseNetworks: EnterpriseNetworkTable;
  enterpriseDomains: EnterpriseDomainTable;
  assets: AssetTable;
  services: ServiceTable;
  identities: IdentityTable;
  observations: ObservationTable;
  advisories: AdvisoryTable;
  findings: FindingTable;
  matchReasons: MatchReasonTable;
  events: EventTable;
  indicators: IndicatorTable;
  warnings: WarningTable;
  warningFindings: WarningFindingTable;
  users: UserTable;
  sessions: SessionTable;
  auditLog: AuditTable;
  warningTransitions: WarningTransitionTable;
  warningEvidence: WarningEvidenceTable;
  warningEscalations: WarningEscalationTable;
  notifications: NotificationTable;
  honeypotActivity: HoneypotActivityTable;
  scans: ScanTable;
  serviceMisses: ServiceMissTable;
}

/** Honeypot interactions per hour (ISO, truncated), protocol and operation, at the source's place. */
export interface HoneypotActivityTable {
  /** hour|protocol|operation|province|city|county|enterprise: one row per combination. */
  key: string;
  hour: string;
  protocol: string;
  operation: string;
  provinceCode: string | null;
  cityCode: string | null;
  countyCode: string | null;
  enterpriseId: string | null;
  count: number;
}

/** A platform scan (src/services/scans.ts); the place columns are its creator's scope. */
export interface ScanTable {
  id: string;
  state: 'queued' | 'running' | 'finished' | 'failed' | 'cancelled';
  /** JSON array of the targets as given. */
  targets: string;
  /** JSON array of {target, start, end}: resolved once, so a resumed scan has the same plan. */
  ranges: string;
  ports: string | null;
  rate: number | null;
  everyMinutes: number | null;
  /** The first scan of a schedule; every run of it carries that id. */
  seriesId: string;
  /** Key of the scan order's permutation. */
  key: number;
  provinceCode: string | null;
  cityCode: string | null;
  countyCode: string | null;
  enterpriseId: string | null;
  createdBy: string | null;
  createdByName: string | null;
  pairs: number;
  finishedPairs: number;
  resumedPairs: number;
  identified: number;
  observations: number;
  newAssets: number;
  errors: number;
  gone: number;
  /** Misses after which a service is gone; null = GONE_AFTER_MISSES. */
  goneAfter: number | null;
  error: string | null;
  notBefore: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Finished platform scans in a row that covered a service without seeing it. */
export interface ServiceMissTable {
  serviceId: string;
  assetId: string;
  misses: number;
  goneAt: string | null;
  lastScanId: string;
}
