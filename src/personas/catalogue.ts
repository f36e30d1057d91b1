// The persona catalogue: data in catalogue.json, checked once on load so a typo in the data
// fails loudly instead of producing a device that answers nonsense.
import { readFileSync } from 'node:fs';
import { appError } from '../errors.ts';
import { protocolByName } from '../protocols/index.ts';
import type { Persona, ProtocolName, ServiceSpecs } from './types.ts';

const CATALOGUE_FILE = new URL('./catalogue.json', import.meta.url);

/** The fields each service must carry, so a persona answers every identification probe. */
const REQUIRED: { readonly [P in ProtocolName]-?: readonly (keyof NonNullable<ServiceSpecs[P]>)[] } = {
  modbus: [],
  s7comm: ['hardware', 'systemName', 'moduleName', 'plantId', 'copyright', 'moduleTypeName'],
  enip: ['vendorId', 'deviceType', 'productCode', 'productName'],
  fins: ['controllerModel', 'controllerVersion'],
  bacnet: ['vendorId', 'vendorName', 'modelName', 'firmwareRevision', 'applicationSoftwareVersion', 'objectName'],
  opcua: ['applicationName', 'applicationUri', 'productUri'],
  mqtt: ['version'],
  fox: ['hello'],
  dnp3: ['address'],
  iec104: ['commonAddress', 'points'],
};

function fail(id: string, why: string): never {
  throw appError('CONFIG_INVALID', `persona ${id}: ${why}`);
}

/** Checks one persona's shape; returns it typed. */
export function checkPersona(value: unknown): Persona {
  const p = value as Persona;
  const id = typeof p?.id === 'string' ? p.id : '(no id)';
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) fail(id, 'id must be kebab-case');
  for (const k of ['vendor', 'product', 'model', 'serial', 'oui', 'kind'] as const) {
    if (typeof p[k] !== 'string' || p[k] === '') fail(id, `${k} must be a non-empty string`);
  }
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){2}$/.test(p.oui)) fail(id, `oui ${p.oui} is not "xx:xx:xx"`);
  if (!(typeof p.weight === 'number' && p.weight > 0)) fail(id, 'weight must be positive');
  if (!Array.isArray(p.firmware) || p.firmware.length === 0 || p.firmware.some((f) => typeof f !== 'string' || !f)) fail(id, 'firmware must list versions');
  // CIP Identity serial numbers are 32-bit integers (Vol 1 §5A-2.9): the pattern must be 8 hex digits.
  if (p.services?.enip && !/^(\{[xX]8\}|[0-9a-fA-F]{8})$/.test(p.serial)) fail(id, 'an EtherNet/IP device needs an 8-hex-digit serial ({x8})');
  const services = Object.entries(p.services ?? {}) as [ProtocolName, Record<string, unknown>][];
  if (services.length === 0) fail(id, 'has no services');
  for (const [name, spec] of services) {
    if (!(name in REQUIRED)) fail(id, `unknown service ${name}`);
    if (!protocolByName(name)) fail(id, `protocol ${name} is not in the registry`);
    for (const field of REQUIRED[name] as readonly string[]) if (spec[field] === undefined || spec[field] === '') fail(id, `${name}.${field} is missing`);
  }
  return p;
}

export function loadCatalogue(json: string = readFileSync(CATALOGUE_FILE, 'utf8')): readonly Persona[] {
  const doc = JSON.parse(json) as { personas?: unknown[] };
  if (!Array.isArray(doc.personas)) throw appError('CONFIG_INVALID', 'persona catalogue has no "personas" array');
  const personas = doc.personas.map(checkPersona);
  const seen = new Set<string>();
  for (const p of personas) {
    if (seen.has(p.id)) fail(p.id, 'id is not unique');
    seen.add(p.id);
  }
  return Object.freeze(personas);
}

let cached: readonly Persona[] | undefined;

/** The bundled catalogue, read once. */
export function personas(): readonly Persona[] {
  cached ??= loadCatalogue();
  return cached;
}

export function personaById(id: string): Persona | undefined {
  return personas().find((p) => p.id === id);
}
