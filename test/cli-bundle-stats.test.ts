// bin/cached-bundle.js checks its sources' stats (size, times, inode) before hashing them: a start
// whose sources all have the stats recorded skips reading them, and any write to a source, even
// one keeping its size, is seen. Sources changed within a few seconds are always hashed; after the
// first start the window is passed as 0, so the test need not wait it out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain JavaScript module of the bin folder, without type declarations
import { loadBundled } from '../bin/cached-bundle.js';

type Loaded = { exports: { value: () => string } } | null;
type LoadBundled = (name: string, entry: string, options: { root: string; cache: string; racyMs?: number }) => Promise<Loaded>;
const load = async (name: string, entry: string, root: string, cache: string, racyMs?: number) =>
  (await (loadBundled as LoadBundled)(name, entry, { root, cache, racyMs }))?.exports ?? null;

interface Manifest {
  bundle: string;
  hash: string;
  stats?: string[] | null;
}

test('sources with their recorded stats are not hashed; a same-size edit is still seen', async () => {
  const root = mkdtempSync(join(tmpdir(), 'otscope-bundle-'));
  const cache = join(root, 'cache');
  const manifestPath = join(cache, 't.json');
  const manifest = (): Manifest => JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  try {
    writeFileSync(join(root, 'entry.ts'), `import { word } from './word.ts';\nexport const value = (): string => word;\n`);
    writeFileSync(join(root, 'word.ts'), `export const word: string = 'first';\n`);
    const racy = await load('t', 'entry.ts', root, cache);
    assert.equal(racy?.value(), 'first');
    assert.equal(manifest().stats, null, 'sources written just now have no stats kept');

    const hashed = await load('t', 'entry.ts', root, cache, 0);
    assert.equal(hashed?.value(), 'first');
    assert.equal(manifest().stats?.length, 2, 'after a hash that matched, the stats are kept');

    // With every stat as recorded, the contents are not read: a wrong hash goes unnoticed.
    const m = manifest();
    writeFileSync(manifestPath, JSON.stringify({ ...m, hash: '0000000000000000' }));
    await load('t', 'entry.ts', root, cache, 0);
    assert.deepEqual(readdirSync(cache).filter((f) => f.endsWith('.cjs')), [m.bundle], 'not rebuilt');
    writeFileSync(manifestPath, JSON.stringify(m));

    // An edit of the same size, its stat compared (window 0): its times differ.
    writeFileSync(join(root, 'word.ts'), `export const word: string = 'fizst';\n`);
    const edited = await load('t', 'entry.ts', root, cache, 0);
    assert.equal(edited?.value(), 'fizst');
    assert.notEqual(manifest().bundle, m.bundle);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
