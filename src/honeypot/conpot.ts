// Conpot's default template (conpot/templates/default) as scanners and Shodan's honeyscore know
// it. An identity carrying any of these is a Conpot left at its defaults, not a device.
import type { DeviceIdentity } from '../model/index.ts';

export const CONPOT_DEFAULT_STRINGS = ['Technodrome', 'Mouser Factory', '88111222', 'Siemens, SIMATIC, S7-200', 'Venus'] as const;

/** True when the identity shows a public honeypot's default values. */
export function isHoneypotIdentity(identity: DeviceIdentity | null | undefined): boolean {
  if (!identity) return false;
  for (const value of Object.values(identity)) {
    if (typeof value !== 'string') continue;
    for (const s of CONPOT_DEFAULT_STRINGS) if (value.includes(s)) return true;
  }
  return false;
}

/** The default strings found in some bytes (Latin-1), for tests over every reply. */
export function conpotStringsIn(bytes: Uint8Array): string[] {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return CONPOT_DEFAULT_STRINGS.filter((s) => text.includes(s));
}
