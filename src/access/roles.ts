// What each role may do. Deny by default: an action missing from a role's set is refused.
import type { Actor, Role } from '../model/index.ts';

export type Action =
  | 'read:assets'
  | 'read:findings'
  | 'read:warnings'
  | 'read:enterprises'
  | 'read:stats'
  | 'read:advisories'
  | 'read:events'
  | 'read:audit'
  | 'read:regions'
  | 'write:enterprises'
  | 'write:advisories'
  | 'write:warnings'
  | 'write:users'
  | 'ingest:observations';

const READ_ALL: Action[] = ['read:regions', 'read:assets', 'read:findings', 'read:warnings', 'read:enterprises', 'read:stats', 'read:advisories', 'read:events'];

const PERMISSIONS: Record<Role, ReadonlySet<Action>> = {
  'province-admin': new Set<Action>([...READ_ALL, 'read:audit', 'write:enterprises', 'write:advisories', 'write:warnings', 'write:users', 'ingest:observations']),
  'province-analyst': new Set<Action>([...READ_ALL, 'write:enterprises', 'write:advisories', 'write:warnings', 'ingest:observations']),
  'city-analyst': new Set<Action>([...READ_ALL, 'write:enterprises', 'write:warnings']),
  'county-analyst': new Set<Action>([...READ_ALL, 'write:enterprises', 'write:warnings']),
  'enterprise-user': new Set<Action>(['read:regions', 'read:assets', 'read:findings', 'read:warnings', 'read:enterprises', 'read:stats', 'read:advisories', 'read:events']),
  auditor: new Set<Action>([...READ_ALL, 'read:audit']),
  sensor: new Set<Action>(['ingest:observations']),
};

export function can(actor: Actor, action: Action): boolean {
  return PERMISSIONS[actor.role]?.has(action) ?? false;
}

/** Which scope a role's user must carry. */
export function scopeKind(role: Role): 'province' | 'city' | 'county' | 'enterprise' | 'none' {
  switch (role) {
    case 'province-admin':
    case 'province-analyst':
    case 'auditor':
      return 'province';
    case 'city-analyst':
      return 'city';
    case 'county-analyst':
      return 'county';
    case 'enterprise-user':
      return 'enterprise';
    case 'sensor':
      return 'none';
  }
}
