// A subcommand's module graph bundled into one JavaScript file by esbuild (a dependency already),
// built on first use and kept under node_modules/.cache/otscope (ignored by git, gone with a fresh
// `npm ci`). Transpiling ~90 TypeScript files through tsx costs a short command like `analyze`
// most of its start-up; the bundle loads in a few milliseconds. It is rebuilt whenever the hash of
// its source files changes, so an edited checkout never runs stale code. Any failure (no esbuild,
// a read-only tree) returns null and the caller falls back to tsx.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));

/** Hash of the named files' contents (paths relative to the root), or null if one is gone. */
function hashOf(root, inputs) {
  const h = createHash('sha256');
  for (const file of inputs) {
    let text;
    try {
      text = readFileSync(join(root, file));
    } catch {
      return null;
    }
    h.update(file).update('\0').update(text).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** Reads the manifest of `name` and returns its bundle's path when every input is unchanged. */
function fresh(root, cache, name) {
  try {
    const manifest = JSON.parse(readFileSync(join(cache, `${name}.json`), 'utf8'));
    const bundle = join(cache, manifest.bundle);
    if (manifest.hash && hashOf(root, manifest.inputs) === manifest.hash && existsSync(bundle)) return bundle;
  } catch {
    // No manifest yet, or an unreadable one: build.
  }
  return null;
}

async function build(root, cache, name, entry) {
  const { buildSync } = await import('esbuild');
  mkdirSync(cache, { recursive: true });
  const tmp = join(cache, `${name}.${process.pid}.tmp.mjs`);
  const result = buildSync({
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // npm packages stay imports, resolved from node_modules as under tsx.
    packages: 'external',
    outfile: tmp,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: root,
  });
  const inputs = Object.keys(result.metafile.inputs)
    .map((p) => relative(root, join(root, p)))
    .sort();
  const hash = hashOf(root, inputs);
  if (!hash) return null;
  const file = `${name}-${hash}.mjs`;
  // Written aside and renamed: a concurrent start sees either no bundle or a whole one.
  renameSync(tmp, join(cache, file));
  const manifestTmp = join(cache, `${name}.${process.pid}.tmp.json`);
  writeFileSync(manifestTmp, JSON.stringify({ bundle: file, hash, inputs }));
  renameSync(manifestTmp, join(cache, `${name}.json`));
  // Bundles of earlier sources are not needed again (a running process has already loaded its own).
  for (const old of readdirSync(cache)) {
    if (old.startsWith(`${name}-`) && old.endsWith('.mjs') && old !== file) rmSync(join(cache, old), { force: true });
  }
  return join(cache, file);
}

/**
 * The module at `entry` (relative to `root`, the project by default) loaded from its bundle cached
 * in `cache`, or null.
 */
export async function importBundled(name, entry, root = PROJECT, cache = join(root, 'node_modules', '.cache', 'otscope')) {
  try {
    const path = fresh(root, cache, name) ?? (await build(root, cache, name, entry));
    return path ? await import(pathToFileURL(path).href) : null;
  } catch {
    return null;
  }
}
