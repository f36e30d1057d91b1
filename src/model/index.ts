// Shared domain types. Every module speaks these; none of them knows storage or HTTP.
export { newId } from './ids.ts';
export { HOSTILE_TEXT, findHostileText } from './text.ts';
export { validateCreditCode, creditCodeCheckChar, makeCreditCode } from './credit-code.ts';
export { validateIndustryCode, industryName } from './industry.ts';
export { mulberry32 } from './random.ts';

/** What a probe, a sensor or a passive decoder learned about one device (all fields optional). */
export interface DeviceIdentity {
  vendor?: string;
  product?: string;
  model?: string;
  orderNumber?: string;
  firmware?: string;
  hardware?: string;
  serial?: string;
  moduleName?: string;
  plantId?: string;
  raw?: Record<string, unknown>;
}

export const IDENTITY_FIELDS = [
  'vendor',
  'product',
  'model',
  'orderNumber',
  'firmware',
  'hardware',
  'serial',
  'moduleName',
  'plantId',
] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

export type Transport = 'tcp' | 'udp';

/** One piece of evidence: a service seen at an address at a time, with what it said about itself. */
export interface Observation {
  ip: string;
  port: number;
  transport: Transport;
  protocol: string;
  observedAt: string;
  source: string;
  identity?: DeviceIdentity;
  /** The address actually probed when it differs from `ip` (the digital twin's loopback address). */
  via?: string;
}

export const ROLES = [
  'province-admin',
  'province-analyst',
  'city-analyst',
  'county-analyst',
  'enterprise-user',
  'auditor',
  'sensor',
] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking. Every service call takes one; scope comes from the role and its region or enterprise. */
export interface Actor {
  userId: string;
  username: string;
  role: Role;
  /** Province code for province roles and auditors, city code for city analysts, county code for county analysts. */
  regionCode: string | null;
  enterpriseId: string | null;
}

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'none';
export type Confidence = 'confirmed' | 'likely' | 'possible';

export const WARNING_STATES = [
  'draft',
  'issued',
  'acknowledged',
  'remediating',
  'verifying',
  'resolved',
  'reopened',
] as const;
export type WarningState = (typeof WARNING_STATES)[number];
