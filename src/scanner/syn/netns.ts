// For tests: the sweep's tests run in a network namespace of their own (`unshare -rn`: its own
// loopback, CAP_NET_RAW there without root outside), where they may add links and addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { synSweepAvailable } from './sweep.ts';

const NETNS = 'OTSCOPE_SYN_SWEEP_NETNS';

/**
 * True inside the namespace, with the sweep usable. Outside, runs the test file again inside one
 * and exits with its status; when that is impossible registers one test saying why: skipped on
 * a workstation, failed in CI (CI runs as root with namespaces: a missing piece is a failure).
 */
export function inSweepNamespace(): boolean {
  let reason: string;
  if (process.env[NETNS] === '1') {
    const ok = synSweepAvailable();
    if (ok.ok) return true;
    reason = ok.reason;
  } else {
    for (const flags of [['-rn'], ['-n']]) {
      if (spawnSync('unshare', [...flags, 'true'], { stdio: 'ignore' }).status !== 0) continue;
      const r = spawnSync('unshare', [...flags, 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
        stdio: 'inherit',
        env: { ...process.env, [NETNS]: '1' },
      });
      process.exit(r.status ?? 1);
    }
    reason = 'no network namespace (unshare -rn and unshare -n both failed)';
  }
  if (process.env.CI) test('SYN sweep', () => assert.fail(`cannot run in CI: ${reason}`));
  else test('SYN sweep', { skip: reason }, () => undefined);
  return false;
}

/** `ip …` in this namespace. */
export function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

/** The interface's index, or -1 when there is none of that name. */
export function ifindex(name: string): number {
  const r = spawnSync('ip', ['-j', 'link', 'show', name], { encoding: 'utf8' });
  return r.status === 0 ? (JSON.parse(r.stdout) as { ifindex: number }[])[0].ifindex : -1;
}
