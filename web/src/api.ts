// The dashboard's only door to the platform: JSON over /api/v1 with the session's bearer token.
import { session } from './session.ts';

export interface User {
  id: string;
  username: string;
  role: string;
  regionCode: string | null;
  enterpriseId: string | null;
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: User;
}

export interface Region {
  code: string;
  name: string;
  level: 'province' | 'city' | 'county';
  parentCode: string | null;
}

export interface Overview {
  totals: {
    assets: number;
    vulnerableAssets: number;
    findings: number;
    events: number;
    enterprises: number;
    openWarnings: number;
  };
  cities: Array<{ code: string; name: string; assets: number; vulnerableAssets: number; events: number }>;
  protocols: Array<{ protocol: string; assets: number }>;
  vendors: Array<{ vendor: string; assets: number }>;
}

export interface Identity {
  vendor?: string | null;
  product?: string | null;
  model?: string | null;
  orderNumber?: string | null;
  firmware?: string | null;
  hardware?: string | null;
  serial?: string | null;
  moduleName?: string | null;
  plantId?: string | null;
}

export interface Asset {
  id: string;
  ip: string;
  regionCode: string | null;
  cityCode: string | null;
  countyCode: string | null;
  enterpriseId: string | null;
  enterpriseName: string | null;
  firstSeen: string;
  lastSeen: string;
  honeypot: boolean;
  findingCount: number;
  services: Array<{ port: number; transport: string; protocol: string; lastSeen: string }>;
  identity: Identity | null;
}

export interface Finding {
  id: string;
  ip: string;
  port: number | null;
  assetId: string;
  advisoryId: string;
  advisoryTitle: string | null;
  cves: string[];
  confidence: string;
  reason: string;
  severity: string;
  cvss: number | null;
  enterpriseId: string | null;
}

export interface Warning {
  id: string;
  enterpriseId: string;
  enterpriseName: string | null;
  title: string;
  severity: string;
  state: string;
  findingCount: number;
  deadline: string | null;
  createdAt: string;
}

export interface WarningEvidence {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedAt: string;
}

export type WarningStep = 'issue' | 'acknowledge' | 'remediate' | 'verify';

export interface WarningDetail extends Warning {
  issuedAt: string | null;
  verifyRequestedAt: string | null;
  overdueAt: string | null;
  resolvedAt: string | null;
  overdue: boolean;
  findings: Array<{ id: string; ip: string; port: number; advisoryId: string; cves: string[]; severity: string; cvss: number | null; status: string; product: string | null; firmware: string | null }>;
  transitions: Array<{ from: string; to: string; actor: string | null; note: string | null; at: string }>;
  evidence: Array<WarningEvidence & { note: string | null; uploadedBy: string | null }>;
  escalations: Array<{ reason: string; recipients: Array<{ username: string; role: string; regionCode: string | null }>; at: string }>;
}

export interface Enterprise {
  id: string;
  name: string;
  creditCode: string;
  industryCode: string;
  regionCode: string;
  classification: string | null;
  grade: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  /** Cursor-paged lists only (assets): the pages after and before this one, null at either end. */
  nextCursor?: string | null;
  prevCursor?: string | null;
}

/** GeoJSON as ECharts' registerMap takes it; only the properties the map reads are typed. */
export interface FeatureCollection {
  type: 'FeatureCollection';
  features: Array<{ type: 'Feature'; properties: { adcode: string; name: string }; geometry: unknown }>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

type Query = Record<string, string | number | undefined>;

let onUnauthenticated: () => void = () => {};

/** The app decides what a 401 means (back to the login page); the client only reports it. */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

async function request<T>(method: 'GET' | 'POST', path: string, query?: Query, body?: unknown): Promise<T> {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const url = `/api/v1${path}${search.size ? `?${search}` : ''}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = session.token();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', e instanceof Error ? e.message : String(e));
  }
  const payload: unknown = await response.json().catch(() => null);
  if (response.ok) return payload as T;

  const error = (payload as { error?: { code?: string; message?: string } } | null)?.error;
  const failure = new ApiError(response.status, error?.code ?? 'HTTP_' + response.status, error?.message ?? response.statusText);
  // A failed login is also a 401, but it must stay on the form and show its message.
  if (response.status === 401 && path !== '/auth/login') onUnauthenticated();
  throw failure;
}

export const api = {
  login: (username: string, password: string) =>
    request<LoginResult>('POST', '/auth/login', undefined, { username, password }),
  logout: () => request<null>('POST', '/auth/logout'),
  me: () => request<User>('GET', '/auth/me'),
  regions: () => request<{ items: Region[] }>('GET', '/regions'),
  geo: (level: 'province' | 'city' | 'county') => request<FeatureCollection>('GET', `/regions/geo/${level}`),
  overview: () => request<Overview>('GET', '/stats/overview'),
  assets: (query: Query) => request<Page<Asset>>('GET', '/assets', query),
  findings: (query: Query) => request<Page<Finding>>('GET', '/findings', query),
  riskAssets: (query: Query) => request<Page<AssetRisk>>('GET', '/risk/assets', query),
  warnings: (query: Query) => request<Page<Warning>>('GET', '/warnings', query),
  enterprises: (query: Query) => request<Page<Enterprise>>('GET', '/enterprises', query),
  warning: (id: string) => request<WarningDetail>('GET', `/warnings/${encodeURIComponent(id)}`),
  evidence: (id: string, evidenceId: string) => download(`/warnings/${encodeURIComponent(id)}/evidence/${encodeURIComponent(evidenceId)}`),
  warningStep: (id: string, step: WarningStep, note?: string) =>
    request<Warning>('POST', `/warnings/${encodeURIComponent(id)}/${step}`, undefined, note ? { note } : {}),
  uploadEvidence: (id: string, file: { name: string; contentType: string; content: string }) =>
    request<WarningEvidence>('POST', `/warnings/${encodeURIComponent(id)}/evidence`, undefined, file),
  bulletin: (id: string) => download(`/warnings/${encodeURIComponent(id)}/bulletin.docx`),
  honeypotEvents: (query: Query) => request<Page<HoneypotEvent>>('GET', '/honeypot/events', query),
  honeypotSources: (query: Query) => request<{ items: HoneypotSource[] }>('GET', '/honeypot/sources', query),
  honeypotActivity: (query: Query) => request<{ items: { at: string; protocol: string; operation: string; count: number }[] }>('GET', '/honeypot/activity', query),
  honeypotSource: (ip: string) => request<HoneypotSourceProfile>('GET', `/honeypot/sources/${encodeURIComponent(ip)}`),
  scans: (query: Query) => request<Page<Scan>>('GET', '/scans', query),
  createScan: (body: ScanRequest) => request<Scan>('POST', '/scans', undefined, body),
  cancelScan: (id: string) => request<Scan>('POST', `/scans/${encodeURIComponent(id)}/cancel`, undefined, {}),
  events: (query: Query) => request<Page<ExposureEvent>>('GET', '/events', query),
};

export interface ScanRequest {
  targets: string[];
  ports?: string;
  rate?: number;
  schedule?: { everyMinutes: number };
}

export interface Scan {
  id: string;
  state: 'queued' | 'running' | 'finished' | 'failed' | 'cancelled';
  targets: string[];
  ports: string | null;
  rate: number;
  schedule: { everyMinutes: number } | null;
  createdBy: string | null;
  createdAt: string;
  notBefore: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: number;
  pairs: number;
  finishedPairs: number;
  counts: { identified: number; observations: number; newAssets: number; errors: number; gone: number };
  error: string | null;
}

/** An event of GET /events, as the exposure-change list shows it. */
export interface ExposureEvent {
  id: string;
  kind: string;
  ip: string | null;
  summary: string;
  occurredAt: string;
}

/** A file behind the bearer token (a plain link would go without it). */
async function download(path: string): Promise<Blob> {
  const token = session.token();
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', e instanceof Error ? e.message : String(e));
  }
  if (response.ok) return response.blob();
  const error = ((await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null)?.error;
  if (response.status === 401) onUnauthenticated();
  throw new ApiError(response.status, error?.code ?? 'HTTP_' + response.status, error?.message ?? response.statusText);
}

/** GET /risk/assets: an asset's risk score with the factors that made it (src/services/risk.ts). */
export interface AssetRisk {
  assetId: string;
  ip: string;
  enterpriseId: string | null;
  honeypot: boolean;
  openFindings: number;
  score: number;
  level: 'critical' | 'high' | 'medium' | 'low' | 'none';
  factors: { key: string; weight: number; value: number; points: number; detail: string }[];
}

/** GET /honeypot/events: one interaction with a honeypot sensor (src/services/honeypot-events.ts). */
export interface HoneypotEvent {
  id: string;
  ip: string | null;
  severity: string;
  summary: string;
  occurredAt: string;
  detail: Record<string, unknown>;
}

/** GET /honeypot/sources: a source with its indicator's classification. */
export interface HoneypotSource {
  ip: string;
  events: number;
  firstSeen: string;
  lastSeen: string;
  classification: string | null;
  confidence: number | null;
  protocols: string[];
  operations: Record<string, number>;
}

/** GET /honeypot/sources/:ip: the source linked to everything else the platform holds about it. */
export interface HoneypotSourceProfile {
  ip: string;
  indicator: { firstSeen: string; lastSeen: string; confidence: number; detail: Record<string, unknown> } | null;
  honeypotEvents: HoneypotEvent[];
  otherEvents: { id: string; kind: string; severity: string; summary: string; occurredAt: string }[];
  assets: { id: string; vendor: string | null; product: string | null; honeypot: boolean; lastSeen: string; services: { port: number; transport: string; protocol: string; lastSeen: string }[] }[];
  observations: number;
}
