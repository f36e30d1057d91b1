// bin/cached-bundle.js keeps a V8 code cache beside a CommonJS bundle: used when it matches, and
// rewritten after the run when it is missing, garbage, damaged, stale, refused by V8 or does not
// cover the kind of run; a cache that cannot be written never stops the command. Bundles that
// need ES modules (import.meta, top-level await) are still built and run, without a code cache.
// Every load runs in its own process, as the command does: within one process V8 reuses the
// script it compiled before and never looks at the cache again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';

const MAGIC = 'otscope-v8-code-cache 1 ';
const LOADER = pathToFileURL(join(import.meta.dirname, '..', 'bin', 'cached-bundle.js')).href;

/** What one process saw: the code cache's state, the entry's value(), and each save's result. */
interface Step {
  codeCache: string;
  value: string;
  saved: boolean[];
}

interface Header {
  bundle: string;
  covers: Record<string, number>;
  length: number;
  crc: number;
}

/** A scratch project with a two-module entry, its cache folder, and the code cache file's parts. */
function project(entrySource = `import { word } from './word.ts';\nexport const value = (): string => word + '!';\n`) {
  const root = mkdtempSync(join(tmpdir(), 'otscope-code-cache-'));
  const cache = join(root, 'cache');
  writeFileSync(join(root, 'entry.ts'), entrySource);
  writeFileSync(join(root, 'word.ts'), `export const word: string = 'first';\n`);
  /**
   * Loads the entry in a new process, keeps the CPU busy for `busyMs` (a run that works that long),
   * and saves the code cache once per kind of run given.
   */
  const script = (busyMs: number): string => `
      const { loadBundled } = await import(${JSON.stringify(LOADER)});
      const loaded = await loadBundled('t', 'entry.ts', { root: ${JSON.stringify(root)}, cache: ${JSON.stringify(cache)} });
      const step = { codeCache: loaded.codeCache, value: loaded.exports.value() };
      const start = process.cpuUsage();
      for (let used = 0; used < ${busyMs} * 1000; ) {
        const u = process.cpuUsage(start);
        used = u.user + u.system;
      }
      step.saved = process.argv.slice(1).map((reach) => loaded.saveCodeCache(reach));
      console.log(JSON.stringify(step));`;
  /** Node's arguments for a process that loads, works `busyMs`, and saves `reaches`. */
  const argv = (busyMs: number, reaches: string[], flags: string[] = []): string[] => [...flags, '--input-type=module', '-e', script(busyMs), ...reaches];
  const step = (r: { status: number | null; stdout: string; stderr: string }): Step => {
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Step;
  };
  const run = (busyMs: number, ...reaches: string[]): Step => step(spawnSync(process.execPath, argv(busyMs, reaches), { encoding: 'utf8' }));
  const load = (...reaches: string[]): Step => run(0, ...reaches);
  /** A load under other Node/V8 flags. */
  const flagged = (flags: string[], ...reaches: string[]): Step => step(spawnSync(process.execPath, argv(0, reaches, flags), { encoding: 'utf8' }));
  /** `n` loads started at once, each saving `reach`. */
  const together = (n: number, reach: string): Promise<Step[]> =>
    Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<Step>((resolve, reject) => {
            const child = spawn(process.execPath, argv(0, [reach]), { stdio: ['ignore', 'pipe', 'pipe'] });
            let stdout = '';
            let stderr = '';
            child.stdout.on('data', (d: Buffer) => (stdout += d));
            child.stderr.on('data', (d: Buffer) => (stderr += d));
            child.on('error', reject);
            child.on('close', (status) => {
              try {
                resolve(step({ status, stdout, stderr }));
              } catch (e) {
                reject(e);
              }
            });
          }),
      ),
    );
  const file = (): string => {
    const names = readdirSync(cache).filter((f) => f.endsWith('.v8cache'));
    assert.equal(names.length, 1, `one code cache in ${readdirSync(cache).join(', ')}`);
    return join(cache, names[0]);
  };
  const parts = (): { header: Header; data: Buffer } => {
    const buf = readFileSync(file());
    const end = buf.indexOf(0x0a);
    assert.equal(buf.toString('latin1', 0, MAGIC.length), MAGIC);
    return { header: JSON.parse(buf.toString('utf8', MAGIC.length, end)) as Header, data: buf.subarray(end + 1) };
  };
  const rewrite = (header: Header, data: Buffer): void => {
    writeFileSync(file(), Buffer.concat([Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`), data]));
  };
  return { root, cache, run, load, flagged, together, file, parts, rewrite, done: () => rmSync(root, { recursive: true, force: true }) };
}

test('the code cache is written after the first run, used by the next, and extended by a run of another kind', () => {
  const p = project();
  try {
    assert.deepEqual(p.load('summary'), { codeCache: 'absent', value: 'first!', saved: [true] });
    const { header, data } = p.parts();
    assert.deepEqual(Object.keys(header.covers), ['summary']);
    assert.equal(header.length, data.length);
    assert.equal(header.crc, crc32(data));

    // A covered kind of run writes nothing; another kind adds what it compiled.
    assert.deepEqual(p.load('summary', 'ndjson', 'ndjson'), { codeCache: 'accepted', value: 'first!', saved: [false, true, false] });
    assert.deepEqual(Object.keys(p.parts().header.covers), ['summary', 'ndjson']);
    assert.deepEqual(p.load('ndjson'), { codeCache: 'accepted', value: 'first!', saved: [false] });
  } finally {
    p.done();
  }
});

test('a run of a covered kind rewrites the cache only when it worked more than twice as long', () => {
  const p = project();
  try {
    p.load('summary');
    const short = p.parts().header.covers.summary;
    assert.ok(short < 30, `a bare load takes little CPU (${short} ms)`);
    assert.deepEqual(p.run(80, 'summary').saved, [true], 'a run over twice as long adds what it compiled');
    const long = p.parts().header.covers.summary;
    assert.ok(long >= 80, `${long} ms recorded`);
    assert.deepEqual(p.run(0, 'summary').saved, [false]);
    assert.deepEqual(p.run(Math.floor(long * 1.5), 'summary').saved, [false], 'a run up to twice as long writes nothing');
    assert.equal(p.parts().header.covers.summary, long);
  } finally {
    p.done();
  }
});

test('garbage in the code cache file is ignored and replaced', () => {
  const p = project();
  try {
    p.load('summary');
    writeFileSync(p.file(), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff)));
    assert.deepEqual(p.load('summary'), { codeCache: 'corrupt', value: 'first!', saved: [true] });
    assert.equal(p.load().codeCache, 'accepted', 'repaired');
  } finally {
    p.done();
  }
});

test('a damaged payload behind an intact header never reaches V8 (which would abort the process)', () => {
  const p = project();
  try {
    p.load('summary');
    const { header, data } = p.parts();
    const damaged = Buffer.from(data);
    for (let i = damaged.length >> 1; i < (damaged.length >> 1) + 64; i++) damaged[i] = 0;
    p.rewrite(header, damaged);
    assert.deepEqual(p.load('summary'), { codeCache: 'corrupt', value: 'first!', saved: [true] });
    assert.equal(p.load().codeCache, 'accepted');
  } finally {
    p.done();
  }
});

test('a cache with another key is stale; one V8 refuses is rejected; both are rewritten', () => {
  const p = project();
  try {
    p.load('summary');
    for (const [key, other] of [['bundle', '0000000000000000'], ['node', 'v0.0.0'], ['arch', 'pdp11'], ['v8', 1]] as const) {
      const { header, data } = p.parts();
      p.rewrite({ ...header, [key]: other }, data);
      assert.deepEqual(p.load('summary'), { codeCache: 'stale', value: 'first!', saved: [true] }, key);
      assert.equal(p.load().codeCache, 'accepted', key);
    }

    // Other V8 flags: the key's cachedDataVersionTag differs, so V8 never sees the cache (V8's own
    // flag check would have made it 'rejected'); and back under the default flags.
    assert.deepEqual(p.flagged(['--no-opt'], 'summary'), { codeCache: 'stale', value: 'first!', saved: [true] });
    assert.deepEqual(p.flagged(['--no-opt']), { codeCache: 'accepted', value: 'first!', saved: [] });
    assert.equal(p.load('summary').codeCache, 'stale');

    // A well-formed cache of another script, under this bundle's key: V8's own check refuses it.
    const other = new Script('(function () { return 1; })').createCachedData();
    p.rewrite({ ...p.parts().header, length: other.length, crc: crc32(other) }, other);
    assert.deepEqual(p.load('summary'), { codeCache: 'rejected', value: 'first!', saved: [true] });
    assert.equal(p.load().codeCache, 'accepted');
  } finally {
    p.done();
  }
});

test('loads started at once all run, and leave one whole code cache and no temporary file', async () => {
  const p = project();
  try {
    // The first batch races to build the bundle too, the second to rewrite a stale cache.
    for (const batch of [1, 2]) {
      if (batch === 2) p.rewrite({ ...p.parts().header, bundle: '0000000000000000' }, p.parts().data);
      const steps = await p.together(6, 'summary');
      assert.ok(steps.every((s) => s.value === 'first!'), JSON.stringify(steps));
      assert.ok(steps.some((s) => s.saved[0]), 'a code cache written');
      const { header, data } = p.parts();
      assert.equal(header.crc, crc32(data), `batch ${batch}`);
      assert.deepEqual(readdirSync(p.cache).filter((f) => f.includes('.tmp')), [], `batch ${batch}: no temporary file left`);
    }
    assert.equal(p.load().codeCache, 'accepted');
  } finally {
    p.done();
  }
});

test('a code cache that cannot be written leaves the command working', () => {
  const p = project();
  try {
    p.load('summary');
    // A non-empty directory where the cache file belongs: it can be neither read nor replaced
    // (the tests run as root, which a read-only mode would not stop).
    const path = p.file();
    rmSync(path);
    mkdirSync(join(path, 'x'), { recursive: true });
    assert.deepEqual(p.load('summary'), { codeCache: 'absent', value: 'first!', saved: [false] });
    assert.deepEqual(readdirSync(p.cache).filter((f) => f.includes('.tmp')), [], 'no temporary file left');
  } finally {
    p.done();
  }
});

test('a rebuilt bundle drops the code cache of the old one', () => {
  const p = project();
  try {
    p.load('summary');
    const old = p.file();
    writeFileSync(join(p.root, 'word.ts'), `export const word: string = 'second';\n`);
    assert.deepEqual(p.load('summary'), { codeCache: 'absent', value: 'second!', saved: [true] });
    assert.ok(!existsSync(old));
    assert.notEqual(p.file(), old);
  } finally {
    p.done();
  }
});

test('bundles that need ES modules are imported as ESM, without a code cache', () => {
  for (const [source, value] of [
    [`export const value = (): string => (import.meta.url.startsWith('file:') ? 'meta' : 'no meta');\n`, 'meta'],
    [`const word = await Promise.resolve('awaited');\nexport const value = (): string => word;\n`, 'awaited'],
  ]) {
    const p = project(source);
    try {
      assert.deepEqual(p.load('summary'), { codeCache: 'none', value, saved: [false] });
      assert.deepEqual(readdirSync(p.cache).filter((f) => /\.(cjs|v8cache)$/.test(f)), []);
    } finally {
      p.done();
    }
  }
});

test('otscope analyze repairs a garbage code cache and prints the same summary', () => {
  const cache = mkdtempSync(join(tmpdir(), 'otscope-cli-cache-'));
  const capture = join(import.meta.dirname, '..', 'reference', 'corpus', 'pcap', 'modbus');
  const run = () => {
    const r = spawnSync(process.execPath, ['bin/otscope.js', 'analyze', '--format', 'summary', capture], {
      encoding: 'utf8',
      env: { ...process.env, OTSCOPE_CACHE_DIR: cache },
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const valid = (): boolean => {
    const names = readdirSync(cache).filter((f) => f.endsWith('.v8cache'));
    if (names.length !== 1) return false;
    const buf = readFileSync(join(cache, names[0]));
    const end = buf.indexOf(0x0a);
    const header = JSON.parse(buf.toString('utf8', MAGIC.length, end)) as Header;
    return buf.toString('latin1', 0, MAGIC.length) === MAGIC && header.crc === crc32(buf.subarray(end + 1));
  };
  try {
    const first = run();
    assert.ok(first.length > 0);
    assert.ok(valid(), 'the first run writes a code cache');
    const [name] = readdirSync(cache).filter((f) => f.endsWith('.v8cache'));
    writeFileSync(join(cache, name), 'not a code cache\n\0\0\0');
    assert.equal(run(), first);
    assert.ok(valid(), 'the garbage is replaced');
    assert.equal(run(), first);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});
