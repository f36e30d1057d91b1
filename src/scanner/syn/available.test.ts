// The sweep says why it cannot run: without CAP_NET_RAW, or turned off; the scan then keeps its connect path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SWEEP = fileURLToPath(new URL('./sweep.ts', import.meta.url));
const script = `import { synSweepAvailable } from ${JSON.stringify(SWEEP)}; console.log(JSON.stringify(synSweepAvailable()));`;

test('without CAP_NET_RAW: not available, and the reason names it', () => {
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script];
  // root drops the capability from its bounding set (what exec grants it); anyone else lacks it.
  const cmd = process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-net_raw', '--inh-caps=-net_raw', ...node] : node;
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { ok: boolean; reason?: string };
  assert.equal(got.ok, false);
  assert.match(got.reason!, /CAP_NET_RAW|not built/);
});

test('OTSCOPE_SYN_SWEEP=off turns it off, whatever the privileges', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, OTSCOPE_SYN_SWEEP: 'off' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { ok: false, reason: 'turned off (OTSCOPE_SYN_SWEEP=off)' });
});
