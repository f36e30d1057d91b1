// Every capture of reference/corpus/pcap through the analyzer, compared cell by cell with
// tshark's answers in reference/corpus/oracle. A difference must be listed in
// corpus-exceptions.json with a reason; an unlisted difference fails, and so does a listed
// exception that no longer occurs (so the list shrinks as the parsers improve).
// An exception key is a cell (`modbus.func_code[0]`), a histogram (`modbus.func_code`), a group
// (`modbus`), `packet_count`, `frames_by_protocol[mbtcp]`, `ics_frames_without_ip[bacnet]`, a conversation (`conversations[src>dst:dport/transport/protocol]`)
// or all of them (`conversations`); it covers every difference at or under it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { corpusCaptures } from '../src/protocols/all-fixtures.ts';
import { HISTOGRAM_GROUPS, summarizeCapture, type CaptureSummary } from '../src/traffic/index.ts';

const ROOT = 'reference/corpus';
const PCAPS = join(ROOT, 'pcap');

interface Exception {
  file: string;
  key: string;
  reason: string;
}

interface Difference {
  key: string;
  oracle: number | null;
  ours: number | null;
}


type Hist = Record<string, Record<string, Record<string, number>>>;
type Row = { src: string; dst: string; dport: number; transport: string; protocol: string; frames: number };

/** Every cell and conversation where ours and the oracle's counts differ. */
export function compare(oracle: Record<string, unknown>, ours: CaptureSummary): Difference[] {
  const out: Difference[] = [];
  if (oracle.packet_count !== ours.packet_count) {
    out.push({ key: 'packet_count', oracle: oracle.packet_count as number, ours: ours.packet_count });
  }
  for (const [group, keys] of Object.entries(HISTOGRAM_GROUPS)) {
    for (const k of keys) {
      const o = ((oracle as Hist)[group]?.[k] ?? {}) as Record<string, number>;
      const u = ((ours as unknown as Hist)[group]?.[k] ?? {}) as Record<string, number>;
      for (const v of new Set([...Object.keys(o), ...Object.keys(u)])) {
        if ((o[v] ?? 0) !== (u[v] ?? 0)) out.push({ key: `${group}.${k}[${v}]`, oracle: o[v] ?? null, ours: u[v] ?? null });
      }
    }
  }
  // Frames per dissector, for the dissectors we report; S7comm-plus comes from the oracle's
  // display-filter count instead.
  const of = oracle.frames_by_protocol as Record<string, number>;
  for (const [p, n] of Object.entries(ours.frames_by_protocol)) {
    const expected = p === 's7comm_plus_heuristic' ? (oracle.s7comm_plus_heuristic as { frames: number }).frames : (of[p] ?? 0);
    if (expected !== n) out.push({ key: `frames_by_protocol[${p}]`, oracle: expected, ours: n });
  }
  const ow = (oracle.ics_frames_without_ip ?? {}) as Record<string, number>;
  const uw = ours.ics_frames_without_ip;
  for (const p of new Set([...Object.keys(ow), ...Object.keys(uw)])) {
    if ((ow[p] ?? 0) !== (uw[p] ?? 0)) out.push({ key: `ics_frames_without_ip[${p}]`, oracle: ow[p] ?? null, ours: uw[p] ?? null });
  }
  const rowKey = (r: Row): string => `conversations[${r.src}>${r.dst}:${r.dport}/${r.transport}/${r.protocol}]`;
  const o = new Map((oracle.conversations as Row[]).map((r) => [rowKey(r), r.frames]));
  const u = new Map(ours.conversations.map((r) => [rowKey(r), r.frames]));
  for (const key of new Set([...o.keys(), ...u.keys()])) {
    if ((o.get(key) ?? 0) !== (u.get(key) ?? 0)) out.push({ key, oracle: o.get(key) ?? null, ours: u.get(key) ?? null });
  }
  return out;
}

/** True when `exception` names this difference or a prefix of it (`cip` covers `cip.service[1]`). */
function covers(exception: string, key: string): boolean {
  return key === exception || key.startsWith(`${exception}.`) || key.startsWith(`${exception}[`);
}

const exceptions = JSON.parse(readFileSync('test/corpus-exceptions.json', 'utf8')).exceptions as Exception[];

test('every exception has a file, a key and a reason', () => {
  for (const e of exceptions) {
    assert.ok(e.file && e.key && e.reason && e.reason.length > 10, JSON.stringify(e));
  }
});

for (const path of corpusCaptures(PCAPS)) {
  const file = relative(PCAPS, path);
  test(`corpus parity: ${file}`, async () => {
    const oracle = JSON.parse(readFileSync(join(ROOT, 'oracle', `${file}.json`), 'utf8')) as Record<string, unknown>;
    const ours = await summarizeCapture(path, file);
    const diffs = compare(oracle, ours);
    const mine = exceptions.filter((e) => e.file === file);
    const unlisted = diffs.filter((d) => !mine.some((e) => covers(e.key, d.key)));
    const stale = mine.filter((e) => !diffs.some((d) => covers(e.key, d.key)));
    const problems: string[] = [];
    for (const d of unlisted) problems.push(`unlisted difference ${d.key}: oracle ${d.oracle ?? '-'}, ours ${d.ours ?? '-'}`);
    for (const e of stale) problems.push(`listed exception no longer occurs: ${e.key}`);
    assert.deepEqual(problems, [], `${file}:\n  ${problems.join('\n  ')}`);
  });
}
