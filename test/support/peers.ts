// What the tests against real software nobody here wrote (pymodbus, Mosquitto, Snap7, node-opcua,
// nmap) share: the rule that a missing peer skips with its reason except in CI, where it fails;
// a free loopback port; and one scan of one target with otscope's scanner.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import type { Observation } from '../../src/model/index.ts';
import { Plan, noTwinMapping, parsePorts, resolveTargets, scan } from '../../src/scanner/index.ts';

export const CI = process.env.CI === 'true';

/** A peer this machine lacks: skip with the reason, or fail in CI, which installs every peer. */
export function unavailable(t: { skip(msg: string): void }, reason: string): void {
  if (CI) assert.fail(`real peer missing in CI: ${reason}`);
  console.log(`# skipped: ${reason}`);
  t.skip(reason);
}

/** Whether an npm package resolves from the repo. */
export function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Whether something accepts TCP connections on host:port. */
export function reachable(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host, port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** Scans one target on the given ports (scanner port syntax) and returns every observation. */
export async function scanPeer(target: string, ports: string, timeoutMs = 2000): Promise<Observation[]> {
  const out: Observation[] = [];
  const plan = new Plan(await resolveTargets([target]), parsePorts(ports), 1);
  const stats = await scan({ plan, timeoutMs, publicAddress: noTwinMapping, onObservation: (o) => out.push(o) });
  assert.equal(stats.finished, plan.size);
  return out;
}
