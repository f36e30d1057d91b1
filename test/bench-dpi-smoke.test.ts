// Issue 3, deliverable 6: `npm run bench:dpi` prints MB/s, packets/s and the ratio to tshark in one
// run. The figures themselves are measured under the bench lock and recorded in BENCHMARKS.md;
// this keeps the command working on one copy of the corpus (--mb 1, ~13 MB): every row it prints,
// and the same packet count read by otscope and by tshark.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const ROW = /per cpu second:\s+[\d.]+ MB\/s\s+\d+ kpkt\/s\s+peak RSS \d+ MB$/;
const hasTshark = !spawnSync('tshark', ['-v'], { stdio: 'ignore' }).error;
/** The bench times the CLI and tshark with GNU time; without it those rows have no CPU figures. */
const hasGnuTime = !spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { stdio: 'ignore' }).error;

test('npm run bench:dpi prints MB/s, packets/s and the ratio to tshark', (t) => {
  const r = spawnSync('npm', ['run', '--silent', 'bench:dpi', '--', '--mb', '1'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  const input = /^input: .* ([\d.]+) MB, (\d+) packets \(corpus x1\)$/.exec(lines[0]);
  assert.ok(input, r.stdout);
  assert.ok(Number(input[1]) > 10 && Number(input[2]) > 80_000, lines[0]);
  const row = (name: string) => lines.find((l) => l.startsWith(`${name} `));
  const timed = hasGnuTime ? ['otscope', 'cli'] : ['otscope'];
  for (const name of timed) {
    assert.match(row(name) ?? '', /^\w+\s+[\d.]+ s wall\s+[\d.]+ s cpu\s+[\d.]+ MB\/s\s+\d+ kpkt\/s/, `${name} row:\n${r.stdout}`);
    assert.match(row(name) ?? '', ROW, `${name} row:\n${r.stdout}`);
  }
  if (!hasTshark) {
    assert.ok(lines.includes('tshark: not installed (apt-get install tshark), no ratio'), r.stdout);
    return;
  }
  if (!hasGnuTime) {
    t.skip('no GNU time (/usr/bin/time): the tshark row has no CPU figures to check');
    return;
  }
  assert.match(row('tshark') ?? '', ROW, r.stdout);
  assert.ok(!r.stdout.includes('warning: packet counts differ'), r.stdout);
  assert.match(r.stdout, /^whole command: otscope analyze is [\d.]+x tshark by CPU time/m);
  assert.match(r.stdout, /^ratio: otscope is [\d.]+x tshark by wall time, [\d.]+x by CPU time \(goal 20x; goal 1M packets\/s: (not )?met by wall time, (not )?met by CPU time\)$/m);
});
