// Issue 3, deliverable 3: `otscope analyze --format summary` prints, per capture, histograms and
// conversations under exactly the keys of the tshark oracles (schema ics-pcap-oracle/1), so any
// file's output can be diffed against its oracle. The parity test compares values key by key from
// the summary's own key table; this test holds that table, and the CLI's output, to the keys the
// oracle files and the issue name, so a renamed or missing key cannot pass unseen.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { corpusCaptures } from '../src/protocols/all-fixtures.ts';
import { summarizeCapture } from '../src/traffic/index.ts';

const ROOT = 'reference/corpus';
const PCAPS = join(ROOT, 'pcap');

/** The oracle's histogram groups and keys (reference/corpus/README.md, "Oracle format"). */
const ORACLE_HISTOGRAMS: Record<string, string[]> = {
  modbus: ['unit_id', 'func_code', 'exception_code'],
  s7comm: ['rosctr', 'param_func', 'userdata_funcgroup'],
  dnp3: ['al_func', 'dl_prifunc', 'dl_secfunc'],
  iec104: ['apci_type', 'u_type', 'asdu_typeid', 'causetx'],
  enip: ['command'],
  cip: ['service', 'service_code'],
  bacnet: ['bvlc_function', 'apdu_type', 'confirmed_service', 'unconfirmed_service'],
  opcua: ['transport_type', 'service_nodeid'],
  mqtt: ['msgtype'],
  omron: ['command_code', 'tcp_command'],
};

/** The conversation row's keys and the protocol names a row may carry, as in the oracle. */
const ROW_KEYS = ['dport', 'dst', 'frames', 'protocol', 'src', 'transport'];
const ROW_PROTOCOLS = new Set([
  'mbtcp', 'mbudp', 'modbus', 's7comm', 'dnp3', 'iec60870_104', 'iec60870_asdu', 'enip', 'cip', 'cipio',
  'bvlc', 'bacnet', 'bacapp', 'opcua', 'mqtt', 'omron', 's7comm_plus_heuristic',
]);

type Json = Record<string, unknown>;

const sorted = (o: object): string[] => Object.keys(o).sort();

function checkShape(label: string, summary: Json, oracle: Json): void {
  assert.equal(typeof summary.packet_count, 'number', `${label}: packet_count`);
  for (const [group, keys] of Object.entries(ORACLE_HISTOGRAMS)) {
    // The oracle itself has this layout: the test's table is the oracle's, not the summary's.
    assert.deepEqual(sorted(oracle[group] as object), [...keys].sort(), `${label}: oracle ${group}`);
    const ours = summary[group] as Record<string, Record<string, unknown>> | undefined;
    assert.ok(ours && typeof ours === 'object', `${label}: summary has no ${group} group`);
    assert.deepEqual(sorted(ours), [...keys].sort(), `${label}: ${group} keys`);
    for (const key of keys) {
      for (const [value, count] of Object.entries(ours[key])) {
        // Decimal values as the oracle writes them; OPC UA transport types as text.
        const ok = group === 'opcua' && key === 'transport_type' ? /^[A-Z]{3}$/.test(value) : /^(0|[1-9]\d*)$/.test(value);
        assert.ok(ok, `${label}: ${group}.${key} value key ${value}`);
        assert.ok(Number.isInteger(count) && (count as number) > 0, `${label}: ${group}.${key}[${value}] = ${String(count)}`);
      }
    }
  }
  const rows = summary.conversations as Json[];
  assert.ok(Array.isArray(rows), `${label}: conversations`);
  for (const row of [...rows, ...(oracle.conversations as Json[])]) {
    assert.deepEqual(sorted(row), ROW_KEYS, `${label}: conversation row ${JSON.stringify(row)}`);
    assert.ok(ROW_PROTOCOLS.has(row.protocol as string), `${label}: conversation protocol ${String(row.protocol)}`);
    assert.ok(row.transport === 'tcp' || row.transport === 'udp', `${label}: transport ${String(row.transport)}`);
  }
}

const captures = corpusCaptures(PCAPS);
const oracleOf = (path: string): Json => JSON.parse(readFileSync(join(ROOT, 'oracle', `${relative(PCAPS, path)}.json`), 'utf8')) as Json;

test('every corpus summary has exactly the oracle histogram keys and conversation row keys', async () => {
  assert.equal(captures.length, 40);
  for (const path of captures) {
    const file = relative(PCAPS, path);
    checkShape(file, (await summarizeCapture(path, file)) as unknown as Json, oracleOf(path));
  }
});

test('otscope analyze --format summary prints the same objects, one line per capture', async () => {
  const picked = captures.filter((p) => /omron_fins_tcp|open62541_client|bacnet-stack-services/.test(p));
  assert.equal(picked.length, 3);
  const r = spawnSync(process.execPath, ['bin/otscope.js', 'analyze', '--format', 'summary', ...picked], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, picked.length);
  for (const [i, path] of picked.entries()) {
    const printed = JSON.parse(lines[i]) as Json;
    checkShape(`cli ${path}`, printed, oracleOf(path));
    assert.deepEqual(printed, JSON.parse(JSON.stringify(await summarizeCapture(path))), `cli ${path}`);
  }
});
