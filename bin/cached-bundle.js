// A subcommand's module graph bundled into one JavaScript file by esbuild (a dependency already),
// built on first use and kept under node_modules/.cache/otscope (ignored by git, gone with a fresh
// `npm ci`). Transpiling ~90 TypeScript files through tsx costs a short command like `analyze`
// most of its start-up; the bundle loads in a few milliseconds. It is rebuilt whenever the hash of
// its source files changes, so an edited checkout never runs stale code. Any failure (no esbuild,
// a read-only tree) returns null and the caller falls back to tsx.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));

/**
 * A file changed within this many milliseconds of its stat being taken may change again with the
 * same size and time stamp (coarse file system clocks): its stat is not kept, so it is hashed (as
 * git treats "racily clean" index entries).
 */
const RACY_MS = 3000;

/** Hash of the named files' contents (paths relative to the root), or null if one is gone. */
async function hashOf(root, inputs) {
  const { createHash } = await import('node:crypto');
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

/**
 * What identifies each file's current contents without reading them: size, modification and
 * change times, inode. The change time moves with every write and rename and cannot be set back.
 * Null when a file is gone or was changed too recently to trust its stat.
 */
function statsOf(root, inputs, racyMs) {
  const now = Date.now();
  const out = [];
  for (const file of inputs) {
    let s;
    try {
      s = statSync(join(root, file), { bigint: true });
    } catch {
      return null;
    }
    const changed = Number(s.mtimeMs > s.ctimeMs ? s.mtimeMs : s.ctimeMs);
    if (changed > now - racyMs) return null;
    out.push(`${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`);
  }
  return out;
}

function sameStats(a, b) {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function writeManifest(cache, name, manifest) {
  // Written aside and renamed: a concurrent start sees the old manifest or the new one, whole.
  const tmp = join(cache, `${name}.${process.pid}.tmp.json`);
  writeFileSync(tmp, JSON.stringify(manifest));
  renameSync(tmp, join(cache, `${name}.json`));
}

/**
 * Reads the manifest of `name` and returns its bundle's path when every input is unchanged: by
 * their stats when they match those recorded, else by the hash of their contents (and then the
 * stats are recorded for the next start).
 */
async function fresh(root, cache, name, racyMs) {
  try {
    const manifest = JSON.parse(readFileSync(join(cache, `${name}.json`), 'utf8'));
    const bundle = join(cache, manifest.bundle);
    if (!manifest.hash || !existsSync(bundle)) return null;
    // Stats first: a file written while it is hashed then shows a newer stat than its hash.
    const stats = statsOf(root, manifest.inputs, racyMs);
    if (manifest.stats && sameStats(stats, manifest.stats)) return bundle;
    if ((await hashOf(root, manifest.inputs)) !== manifest.hash) return null;
    if (stats) {
      try {
        writeManifest(cache, name, { ...manifest, stats });
      } catch {
        // A read-only cache still works, by hash.
      }
    }
    return bundle;
  } catch {
    // No manifest yet, or an unreadable one: build.
  }
  return null;
}

async function build(root, cache, name, entry, racyMs) {
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
  const stats = statsOf(root, inputs, racyMs);
  const hash = await hashOf(root, inputs);
  if (!hash) return null;
  const file = `${name}-${hash}.mjs`;
  // Written aside and renamed: a concurrent start sees either no bundle or a whole one.
  renameSync(tmp, join(cache, file));
  writeManifest(cache, name, { bundle: file, hash, inputs, stats });
  // Bundles of earlier sources are not needed again (a running process has already loaded its own).
  for (const old of readdirSync(cache)) {
    if (old.startsWith(`${name}-`) && old.endsWith('.mjs') && old !== file) rmSync(join(cache, old), { force: true });
  }
  return join(cache, file);
}

/**
 * The module at `entry` (relative to `root`, the project by default) loaded from its bundle cached
 * in `cache`, or null. `racyMs` is the window of RACY_MS, for a test that cannot wait it out.
 */
export async function importBundled(name, entry, root = PROJECT, cache = join(root, 'node_modules', '.cache', 'otscope'), racyMs = RACY_MS) {
  try {
    const path = (await fresh(root, cache, name, racyMs)) ?? (await build(root, cache, name, entry, racyMs));
    return path ? await import(pathToFileURL(path).href) : null;
  } catch {
    return null;
  }
}
