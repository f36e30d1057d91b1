// `otscope analyze` sets its V8 flags (bin/v8-flags.js) before its bundle is compiled, and its code
// cache must be keyed to them and used by the next run. Were the flags set after the key is taken
// or the bundle compiled, or not at all, every run would still print the same output and leave a
// valid cache file behind (what cli-code-cache.test.ts checks), only rewritten each time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANALYZE_V8_FLAGS, analyzeV8Flags } from '../bin/v8-flags.js';

const ROOT = join(import.meta.dirname, '..');
const MAGIC = 'otscope-v8-code-cache 1 ';

/** cachedDataVersionTag() of a Node started with these V8 flags. */
function tagWith(flags: string[]): number {
  const r = spawnSync(process.execPath, [...flags, '-p', "require('node:v8').cachedDataVersionTag()"], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

test('otscope analyze writes its code cache under its V8 flags once, and the next run uses it', () => {
  const cache = mkdtempSync(join(tmpdir(), 'otscope-v8-flags-'));
  const capture = join(ROOT, 'reference', 'corpus', 'pcap', 'dnp3', 'dnp3_file_read.pcap');
  const run = (): string => {
    const r = spawnSync(process.execPath, ['bin/otscope.js', 'analyze', '--format', 'summary', capture], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, OTSCOPE_CACHE_DIR: cache },
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  /** The code cache file's identity (a rewrite renames a new file over it) and its header. */
  const cacheFile = (): { id: string; v8: unknown } => {
    const names = readdirSync(cache).filter((f) => f.endsWith('.v8cache'));
    assert.equal(names.length, 1, names.join(' '));
    const path = join(cache, names[0]);
    const s = statSync(path, { bigint: true });
    const buf = readFileSync(path);
    assert.equal(buf.toString('latin1', 0, MAGIC.length), MAGIC);
    const header = JSON.parse(buf.toString('utf8', MAGIC.length, buf.indexOf(0x0a))) as { v8: unknown };
    return { id: `${s.ino}:${s.mtimeNs}:${s.size}`, v8: header.v8 };
  };
  try {
    // The flags analyze sets when run as below (none on a V8 they were not measured on).
    const flags = analyzeV8Flags([]);
    const flagged = tagWith(flags);
    if (flags.length) assert.notEqual(flagged, tagWith([]), 'the flags are part of the code cache key');
    const first = run();
    const written = cacheFile();
    assert.equal(written.v8, flagged, 'the key is taken after the flags are set');
    for (let i = 0; i < 2; i++) {
      assert.equal(run(), first);
      assert.deepEqual(cacheFile(), written, 'the cache is accepted, not rewritten');
    }
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test("analyze's V8 flags give way to the user's own and are not set on a V8 they were not measured on", () => {
  const node20 = '11.3.244.8-node.38';
  assert.deepEqual(analyzeV8Flags([], node20), [...ANALYZE_V8_FLAGS]);
  assert.deepEqual(analyzeV8Flags(['--interrupt_budget=1000', '--turbo-loop-peeling', '--max-old-space-size=64'], node20), ['--max-inlined-bytecode-size-cumulative=460']);
  assert.deepEqual(analyzeV8Flags([], '12.4.254.21-node.33'), []);
  // A user's flag reaches V8 unchanged: the CLI's run under it is keyed to the user's value.
  const cache = mkdtempSync(join(tmpdir(), 'otscope-v8-flags-'));
  try {
    const capture = join(ROOT, 'reference', 'corpus', 'pcap', 'dnp3', 'dnp3_file_read.pcap');
    const user = ['--interrupt-budget=1000'];
    const r = spawnSync(process.execPath, [...user, 'bin/otscope.js', 'analyze', capture], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, OTSCOPE_CACHE_DIR: cache } });
    assert.equal(r.status, 0, r.stderr);
    const name = readdirSync(cache).find((f) => f.endsWith('.v8cache'))!;
    const buf = readFileSync(join(cache, name));
    const header = JSON.parse(buf.toString('utf8', MAGIC.length, buf.indexOf(0x0a))) as { v8: unknown };
    assert.equal(header.v8, tagWith([...user, ...analyzeV8Flags(user)]));
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});
