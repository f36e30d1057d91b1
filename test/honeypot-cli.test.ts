// `otscope honeypot` as an operator runs it: the persona list, and the answers to wrong arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { personas } from '../src/personas/index.ts';

const BIN = new URL('../bin/otscope.js', import.meta.url).pathname;
const otscope = (...args: string[]) => spawnSync(process.execPath, [BIN, 'honeypot', ...args], { encoding: 'utf8', timeout: 30_000 });

test('--list-personas --json prints every wearable persona with its protocols, and no Conpot copy', () => {
  const r = otscope('--list-personas', '--json');
  assert.equal(r.status, 0, r.stderr);
  const list = JSON.parse(r.stdout) as { id: string; vendor: string; product: string; protocols: string[] }[];
  const wearable = personas().filter((p) => !p.honeypot);
  assert.deepEqual(list.map((p) => p.id), wearable.map((p) => p.id));
  for (const p of list) {
    const persona = wearable.find((x) => x.id === p.id)!;
    assert.deepEqual(p, { id: persona.id, vendor: persona.vendor, product: persona.product, protocols: Object.keys(persona.services) });
  }
  assert.ok(!list.some((p) => p.id.startsWith('conpot')));
});

test('wrong arguments exit 2 with the reason; an unknown or Conpot persona exits 1', () => {
  for (const [args, why] of [
    [[], /--persona is required/],
    [['--persona', 'random', '--ports', 'modbus=99999'], /needs a port 1..65535/],
    [['--persona', 'random', '--ports', 'telnet=23'], /unknown protocol 'telnet'/],
    [['--persona', 'random', '--submit', 'http://127.0.0.1:1'], /--submit needs --token/],
  ] as const) {
    const r = otscope(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, why);
  }
  const unknown = otscope('--persona', 'no-such-device', '--bind', '127.77.253.1');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown persona 'no-such-device'/);
  const conpot = otscope('--persona', 'conpot-default', '--bind', '127.77.253.1');
  assert.equal(conpot.status, 1);
  assert.match(conpot.stderr, /conpot's defaults/);
});
