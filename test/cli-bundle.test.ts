// bin/cached-bundle.js: `otscope analyze` starts from an esbuild bundle cached under
// node_modules/.cache; it must be rebuilt when any of its sources changes, and never be stale.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain JavaScript module of the bin folder, without type declarations
import { loadBundled } from '../bin/cached-bundle.js';

type Loaded = { exports: { value: () => string }; codeCache: string } | null;
type LoadBundled = (name: string, entry: string, options: { root: string; cache: string }) => Promise<Loaded>;
const load = async (name: string, entry: string, root: string, cache: string) => (await (loadBundled as LoadBundled)(name, entry, { root, cache }))?.exports ?? null;

test('the bundle is built once, reused, and rebuilt when an imported source changes', async () => {
  const root = mkdtempSync(join(tmpdir(), 'otscope-bundle-'));
  const cache = join(root, 'cache');
  try {
    writeFileSync(join(root, 'entry.ts'), `import { word } from './word.ts';\nexport const value = (): string => word;\n`);
    writeFileSync(join(root, 'word.ts'), `export const word: string = 'first';\n`);
    const a = await load('t', 'entry.ts', root, cache);
    assert.equal(a?.value(), 'first');
    const built = readdirSync(cache).filter((f) => f.endsWith('.cjs'));
    assert.equal(built.length, 1);

    const b = await load('t', 'entry.ts', root, cache);
    assert.equal(b?.value(), 'first');
    assert.deepEqual(readdirSync(cache).filter((f) => f.endsWith('.cjs')), built, 'an unchanged tree reuses the bundle');

    writeFileSync(join(root, 'word.ts'), `export const word: string = 'second';\n`);
    const c = await load('t', 'entry.ts', root, cache);
    assert.equal(c?.value(), 'second');
    const now = readdirSync(cache).filter((f) => f.endsWith('.cjs'));
    assert.equal(now.length, 1, 'the stale bundle is removed');
    assert.notDeepEqual(now, built);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a source that does not build gives null (the command falls back to tsx)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'otscope-bundle-'));
  try {
    writeFileSync(join(root, 'entry.ts'), `import { missing } from './nowhere.ts';\nexport const value = () => missing;\n`);
    assert.equal(await load('t', 'entry.ts', root, join(root, 'cache')), null);
    assert.ok(!existsSync(join(root, 'cache', 't.json')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
