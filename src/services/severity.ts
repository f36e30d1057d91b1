import type { Severity } from '../model/index.ts';

const ORDER: Severity[] = ['none', 'low', 'medium', 'high', 'critical'];

export function maxSeverity(list: Severity[]): Severity {
  let best: Severity = 'none';
  for (const s of list) if (ORDER.indexOf(s) > ORDER.indexOf(best)) best = s;
  return best;
}

/** CVSS v3.x qualitative rating (FIRST CVSS v3.1 specification §5). */
export function severityOf(cvss: number | null | undefined): Severity {
  if (cvss == null) return 'none';
  if (cvss >= 9) return 'critical';
  if (cvss >= 7) return 'high';
  if (cvss >= 4) return 'medium';
  if (cvss > 0) return 'low';
  return 'none';
}

// Days an enterprise has to remediate, by severity (the regulator can change a warning's deadline).
const DEADLINE_DAYS: Record<Severity, number> = { critical: 7, high: 15, medium: 30, low: 60, none: 90 };

export function warningDeadline(severity: Severity, from: Date): string {
  return new Date(from.getTime() + DEADLINE_DAYS[severity] * 86_400_000).toISOString();
}
