// Per-deployment randomisation: every choice (firmware image, serial, MAC, names, BACnet
// instance) is drawn from a generator seeded by (seed, index), so the same seed rebuilds the
// same province and two devices of one model still differ as a real fleet does.
import { mulberry32, type DeviceIdentity } from '../model/index.ts';
import type { Device, Persona } from './types.ts';

/** FNV-1a over the text, then a murmur3 finaliser: a 32-bit seed from any key. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A seeded PRNG (mulberry32) for picking names; a text seed is hashed first. Not for secrets. */
export function random(seed: string | number): () => number {
  return mulberry32(typeof seed === 'number' ? seed : hash32(seed));
}

const CITIES = ['Nanchang', 'Jiujiang', 'Ganzhou', 'Jian', 'Yichun', 'Fuzhou', 'Shangrao', 'Pingxiang', 'Xinyu', 'Yingtan', 'Jingdezhen'];
const SITES: ReadonlyArray<readonly [string, string]> = [
  ['WTP', 'Water Plant'],
  ['WWTP', 'Wastewater Plant'],
  ['SUB', 'Substation'],
  ['PS', 'Pumping Station'],
  ['GAS', 'Gas Station'],
  ['CHEM', 'Chemical Works'],
  ['STL', 'Steel Mill'],
  ['PHM', 'Pharma Plant'],
  ['HVAC', 'Hospital Plant Room'],
  ['BLR', 'Boiler House'],
  ['CEM', 'Cement Works'],
  ['FOOD', 'Food Factory'],
];

/** Fills `{dN}` digits, `{AN}` capitals, `{XN}`/`{xN}` hex digits of a serial pattern. */
export function fillPattern(pattern: string, next: () => number): string {
  return pattern.replace(/\{([dAXx])(\d{1,2})\}/g, (_m, kind: string, n: string) => {
    const alphabet = kind === 'd' ? '0123456789' : kind === 'A' ? 'ABCDEFGHJKLMNPQRSTUVWXYZ' : kind === 'X' ? '0123456789ABCDEF' : '0123456789abcdef';
    let out = '';
    for (let i = 0; i < Number(n); i++) out += alphabet[Math.floor(next() * alphabet.length)];
    return out;
  });
}

/** `{name}` → vars[name]; unknown names stay as written so a typo is visible in the output. */
export function render(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (m, name: string) => vars[name] ?? m);
}

/** The first two numbers of a version as written (`V4.2.3` → 4, 2; `02.01` → 2, 1). */
export function versionParts(firmware: string): [number, number] {
  const nums = firmware.match(/\d+/g) ?? [];
  return [Number(nums[0] ?? 0), Number(nums[1] ?? 0)];
}

function pick<T>(list: readonly T[], next: () => number): T {
  return list[Math.floor(next() * list.length)];
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export interface DeployOptions {
  /** Extra or overriding template variables, e.g. `address` (where the device lives). */
  vars?: Record<string, string>;
}

/** Deploys `persona` as device number `index` of the deployment seeded by `seed`. */
export function deploy(persona: Persona, seed: string | number, index: number, options: DeployOptions = {}): Device {
  const next = random(`${seed}/${index}/${persona.id}`);
  const firmware = pick(persona.firmware, next);
  const [fwMajor, fwMinor] = versionParts(firmware);
  const serial = fillPattern(persona.serial, next);
  const mac = `${persona.oui}:${hex2(Math.floor(next() * 256))}:${hex2(Math.floor(next() * 256))}:${hex2(Math.floor(next() * 256))}`;
  const [siteCode, siteName] = pick(SITES, next);
  const city = pick(CITIES, next);
  const siteNo = 1 + Math.floor(next() * 20);
  const unit = 1 + Math.floor(next() * 8);
  const uuid = [8, 4, 4, 4, 12].map((n) => fillPattern(`{x${n}}`, next)).join('-');
  const vars: Record<string, string> = {
    firmware,
    fwMajor: String(fwMajor),
    fwMinor: String(fwMinor),
    serial,
    mac,
    macSuffix: mac.slice(9).replace(/:/g, '').toUpperCase(),
    station: `${siteCode}${String(siteNo).padStart(2, '0')}_${persona.kind === 'bms' ? 'BAS' : 'PLC'}${unit}`,
    plant: `${city} ${siteName} ${siteNo}`,
    hostId: serial,
    uuid,
    instance: String(1 + Math.floor(next() * 4_194_301)),
    address: `192.168.${Math.floor(next() * 254) + 1}.${Math.floor(next() * 253) + 2}`,
    ...options.vars,
  };
  return { persona, index, vars, identity: identityOf(persona, vars) };
}

/** The identity an operator's asset register would hold for this device. */
function identityOf(persona: Persona, vars: Readonly<Record<string, string>>): DeviceIdentity {
  const s = persona.services;
  const id: DeviceIdentity = { vendor: persona.vendor, product: persona.product, model: persona.model };
  const orderNumber = s.s7comm?.orderNumber ?? persona.orderNumber;
  if (orderNumber) id.orderNumber = orderNumber;
  id.firmware = vars.firmware;
  if (s.s7comm) id.hardware = String(s.s7comm.hardware);
  id.serial = vars.serial;
  const moduleName = s.s7comm?.moduleName ?? s.bacnet?.objectName ?? s.dnp3?.deviceName ?? (s.fox ? '{station}' : undefined);
  if (moduleName) id.moduleName = render(moduleName, vars);
  // SZL 0x001C carries a plant identification of at most 32 characters (as the persona answers it).
  if (s.s7comm) id.plantId = render(s.s7comm.plantId, vars).slice(0, 32);
  return id;
}
