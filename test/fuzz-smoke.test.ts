// Issue 3, deliverable 5: `npm run fuzz`. The million-input runs are recorded in BENCHMARKS.md;
// this keeps the command itself working: a short run over every registered protocol through the
// npm script must reach each protocol, report every input, and find nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROTOCOLS } from '../src/protocols/index.ts';

const INPUTS = 1000;

test(`npm run fuzz: ${INPUTS} inputs per protocol, every protocol, no findings`, () => {
  const out = mkdtempSync(join(tmpdir(), 'otscope-fuzz-'));
  try {
    const r = spawnSync('npm', ['run', '--silent', 'fuzz', '--', '--inputs', String(INPUTS), '--seed', '7', '--out', out], { encoding: 'utf8', timeout: 180_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    for (const p of PROTOCOLS) {
      const row = new RegExp(`^\\s+${p.name.replace(/[-]/g, '\\-')}\\s+${INPUTS}\\s+\\d+(\\s+\\d+){3}\\s+0\\s+0\\s+0\\s+0$`, 'm');
      assert.match(r.stdout, row, `no clean row for ${p.name}:\n${r.stdout}`);
    }
    assert.match(r.stdout, new RegExp(`^total ${INPUTS * PROTOCOLS.length} inputs, 0 throws, 0 hangs, 0 allocation, 0 other;`, 'm'));
    // The state file a long run resumes from.
    const state = JSON.parse(readFileSync(join(out, 'state.json'), 'utf8')) as { protocols: Record<string, { next: number }> };
    assert.deepEqual(Object.keys(state.protocols).sort(), PROTOCOLS.map((p) => p.name).sort());
    for (const p of PROTOCOLS) assert.equal(state.protocols[p.name].next, INPUTS);
    // Findings would be written beside it, one .bin and one .json each.
    assert.deepEqual(readdirSync(out), ['state.json']);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
