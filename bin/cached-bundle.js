// A subcommand's module graph bundled into one JavaScript file by esbuild (a dependency already),
// built on first use and kept under node_modules/.cache/otscope (ignored by git, gone with a fresh
// `npm ci`; OTSCOPE_CACHE_DIR puts it elsewhere). Transpiling ~90 TypeScript files through tsx
// costs a short command like `analyze` most of its start-up; the bundle loads in a few
// milliseconds. It is rebuilt whenever the hash of its source files changes, so an edited checkout
// never runs stale code. Any failure (no esbuild, a read-only tree) returns null and the caller
// falls back to tsx.
//
// A bundle that only needs Node's built-in modules is built as CommonJS and compiled through
// vm.Script with a V8 code cache beside it (see CodeCache): the bytecode of every function an
// earlier run compiled, so a start neither parses the bundle nor lazily compiles what it calls.
// Node 20 has no code cache for ES modules (no module.enableCompileCache), so a bundle that needs
// an ES module format (import.meta, top-level await, npm packages that may be ESM-only, dynamic
// import of a module outside the bundle) is built and imported as ESM, without a code cache.
// This file and bin/otscope.js are CommonJS themselves (bin/package.json): a CommonJS main module
// spares the command the start of Node's ES module loader.

const { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } = require('node:fs');
const { createRequire, isBuiltin } = require('node:module');
const { dirname, join, relative } = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script } = require('node:vm');

const PROJECT = join(__dirname, '..');

/**
 * A file changed within this many milliseconds of its stat being taken may change again with the
 * same size and time stamp (coarse file system clocks): its stat is not kept, so it is hashed (as
 * git treats "racily clean" index entries).
 */
const RACY_MS = 3000;

/** First bytes of a code cache file; the number changes with the file's layout. */
const CODE_CACHE_MAGIC = 'otscope-v8-code-cache 1 ';

/** Hash of the named files' contents (paths relative to the root), or null if one is gone. */
function hashOf(root, inputs) {
  const { createHash } = require('node:crypto');
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
  try {
    writeFileSync(tmp, JSON.stringify(manifest));
    renameSync(tmp, join(cache, `${name}.json`));
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Reads the manifest of `name` and returns it when every input is unchanged: by their stats when
 * they match those recorded, else by the hash of their contents (and then the stats are recorded
 * for the next start).
 */
function fresh(root, cache, name, racyMs) {
  try {
    const manifest = JSON.parse(readFileSync(join(cache, `${name}.json`), 'utf8'));
    // A manifest of an older layout (no format, no bundle hash) is rebuilt.
    if (!manifest.hash || !manifest.code || (manifest.format !== 'cjs' && manifest.format !== 'esm')) return null;
    if (!existsSync(join(cache, manifest.bundle))) return null;
    // Stats first: a file written while it is hashed then shows a newer stat than its hash.
    const stats = statsOf(root, manifest.inputs, racyMs);
    if (manifest.stats && sameStats(stats, manifest.stats)) return manifest;
    if (hashOf(root, manifest.inputs) !== manifest.hash) return null;
    if (stats) {
      try {
        writeManifest(cache, name, { ...manifest, stats });
      } catch {
        // A read-only cache still works, by hash.
      }
    }
    return manifest;
  } catch {
    // No manifest yet, or an unreadable one: build.
  }
  return null;
}

/**
 * Why a CommonJS build of this bundle would not behave as its ES modules do, or null. esbuild
 * turns import.meta into an empty object and refuses top-level await in CommonJS (both seen as a
 * warning or an error); Node 20 cannot require() an ES module, and a vm.Script has no loader for
 * import(), so anything imported from outside the bundle must be one of Node's built-in modules.
 */
function notCommonJs(result) {
  if (result.errors.length || result.warnings.length) return 'esbuild reported a difference';
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external) continue;
      if (!isBuiltin(imported.path)) return `imports ${imported.path}`;
      if (imported.kind === 'dynamic-import') return `imports ${imported.path} dynamically`;
    }
  }
  return null;
}

function bundleWith(buildSync, root, entry, tmp, format) {
  return buildSync({
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    // npm packages stay imports, resolved from node_modules as under tsx.
    packages: 'external',
    outfile: tmp,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: root,
  });
}

/**
 * Bundles `entry` into `tmp` (CommonJS when it behaves as its ES modules do, else ESM) and renames
 * it to its final name in `cache`: what the manifest records of it, or null if a source is gone.
 */
function bundleAside(root, cache, name, entry, tmp, racyMs) {
  const { buildSync } = require('esbuild');
  let format = 'cjs';
  let result;
  try {
    result = bundleWith(buildSync, root, entry, tmp, format);
    if (notCommonJs(result)) result = null;
  } catch {
    result = null;
  }
  if (!result) {
    format = 'esm';
    result = bundleWith(buildSync, root, entry, tmp, format);
  }
  const inputs = Object.keys(result.metafile.inputs)
    .map((p) => relative(root, join(root, p)))
    .sort();
  const stats = statsOf(root, inputs, racyMs);
  const hash = hashOf(root, inputs);
  if (!hash) return null;
  // The bundle's own hash keys its code cache: its text depends on esbuild too, not only on the
  // sources, and V8 itself checks only the length of the source a code cache was made from.
  const { createHash } = require('node:crypto');
  const code = createHash('sha256').update(readFileSync(tmp)).digest('hex').slice(0, 16);
  const bundle = `${name}-${hash}-${code}.${format === 'cjs' ? 'cjs' : 'mjs'}`;
  renameSync(tmp, join(cache, bundle));
  return { bundle, format, code, hash, inputs, stats };
}

function build(root, cache, name, entry, racyMs) {
  mkdirSync(cache, { recursive: true });
  // Written aside and renamed: a concurrent start sees either no bundle or a whole one. The
  // temporary file goes whatever fails (a source gone before it is hashed, a full disk).
  const tmp = join(cache, `${name}.${process.pid}.tmp`);
  let manifest;
  try {
    manifest = bundleAside(root, cache, name, entry, tmp, racyMs);
  } finally {
    rmSync(tmp, { force: true });
  }
  if (!manifest) return null;
  const file = manifest.bundle;
  writeManifest(cache, name, manifest);
  // Bundles of earlier sources and their code caches are not needed again (a running process has
  // already loaded its own).
  const current = new Set([file, codeCacheName(file)]);
  for (const old of readdirSync(cache)) {
    if (old.startsWith(`${name}-`) && /\.(cjs|mjs|v8cache)$/.test(old) && !current.has(old)) rmSync(join(cache, old), { force: true });
  }
  return manifest;
}

function codeCacheName(bundle) {
  return bundle.replace(/\.cjs$/, '.v8cache');
}

/**
 * The V8 code cache of one CommonJS bundle, in a file beside it: a header line (magic, then JSON:
 * the key, which kinds of run the cache covers and how long they ran, the payload's length and
 * CRC-32) and the bytes of
 * `script.createCachedData()`. A cache is offered to V8 only when its key matches (the bundle's
 * own hash, the Node version and architecture, and `v8.cachedDataVersionTag()`: V8's version and
 * flags) and its checksum is right: V8 checks only its own header (version, flags, source length),
 * and a damaged payload behind an intact header aborts the process (seen on Node 20). V8 may
 * still refuse a cache (`script.cachedDataRejected`). Whatever is wrong with the file (missing,
 * garbage, stale, refused), the bundle is compiled from source and the file rewritten after the
 * run; one that cannot be read or written is ignored. Without zlib.crc32 (Node before 20.15)
 * there is no code cache.
 */
class CodeCache {
  constructor(path, key) {
    this.path = path;
    this.key = key;
    /** 'accepted', or why the cache was not used: 'absent', 'corrupt', 'stale', 'rejected'. */
    this.state = 'absent';
    /** Kind of run → CPU milliseconds of the longest run of that kind the cache was written after. */
    this.covers = {};
    this.data = undefined;
    /** process.cpuUsage() once the bundle is compiled: a run's length leaves out building and loading it. */
    this.loaded = undefined;
  }

  read() {
    let buf;
    try {
      buf = readFileSync(this.path);
    } catch {
      return;
    }
    this.state = 'corrupt';
    try {
      this.check(buf);
    } catch {
      // Whatever the file holds, it is not a cache to use.
    }
  }

  check(buf) {
    const end = buf.indexOf(0x0a);
    if (end < 0 || end > 4096 || buf.toString('latin1', 0, CODE_CACHE_MAGIC.length) !== CODE_CACHE_MAGIC) return;
    let header;
    try {
      header = JSON.parse(buf.toString('utf8', CODE_CACHE_MAGIC.length, end));
    } catch {
      return;
    }
    if (header === null || typeof header !== 'object' || header.covers === null || typeof header.covers !== 'object') return;
    const data = buf.subarray(end + 1);
    const crc32 = zlibCrc32();
    if (!crc32 || data.length !== header.length || crc32(data) !== header.crc) return;
    for (const k of Object.keys(this.key)) {
      if (header[k] !== this.key[k]) {
        this.state = 'stale';
        return;
      }
    }
    this.state = 'accepted';
    for (const [reach, ms] of Object.entries(header.covers)) if (typeof ms === 'number') this.covers[reach] = ms;
    this.data = data;
  }

  /** After compiling with `this.data`: V8 may still refuse it (then it is rewritten). */
  compiled(script) {
    if (this.state === 'accepted' && script.cachedDataRejected) {
      this.state = 'rejected';
      this.covers = {};
    }
    this.data = undefined;
    this.loaded = process.cpuUsage();
  }

  /**
   * Writes the functions compiled so far, unless the cache in use already covers a run of this kind
   * (`reach`) that lasted at least half as long (less 10 ms of CPU, so that very short runs do not
   * count): a run of another kind, or one that worked much longer, has probably compiled functions
   * the cache lacks, and adds them (the functions already in the cache stay in it). A cache is thus
   * rewritten a few times at most. True when written. What the length rule is for: a first run
   * that fails early (a mistyped path) writes a cache of almost nothing, with which the 102 MB
   * bench summary cost what it costs without a cache (0.75 s against 0.70 s CPU with one written
   * by that summary, 11 alternating runs each, load ~5); a cache written by a summary of a 1.4 MB
   * Modbus capture was as good as the bench's own (0.71 s).
   */
  save(script, reach) {
    const usage = process.cpuUsage(this.loaded);
    const ms = Math.round((usage.user + usage.system) / 1000);
    const before = this.state === 'accepted' ? this.covers[reach] : undefined;
    if (before !== undefined && ms <= 2 * before + 10) return false;
    const crc32 = zlibCrc32();
    if (!crc32) return false;
    const covers = { ...(this.state === 'accepted' ? this.covers : {}), [reach]: Math.max(ms, before ?? 0) };
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      // Written aside and renamed: a concurrent start reads the old file or the new one, whole.
      // Opened before serializing, so that a read-only directory costs nothing more.
      const fd = openSync(tmp, 'w');
      try {
        const data = script.createCachedData();
        writeSync(fd, `${CODE_CACHE_MAGIC}${JSON.stringify({ ...this.key, covers, length: data.length, crc: crc32(data) })}\n`);
        writeSync(fd, data);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      this.state = 'accepted';
      this.covers = covers;
      return true;
    } catch {
      // A read-only or full cache directory: the command works without a code cache.
      try {
        rmSync(tmp, { force: true });
      } catch {
        // Nothing more to tidy.
      }
      return false;
    }
  }
}

/** zlib.crc32 (for the code cache's checksum); undefined before Node 20.15. */
function zlibCrc32() {
  const { crc32 } = require('node:zlib');
  return typeof crc32 === 'function' ? crc32 : undefined;
}

/** Runs a CommonJS bundle as Node's module loader would, compiled with its code cache. */
function runCommonJs(path, cache) {
  const source = readFileSync(path, 'utf8');
  cache.read();
  // The wrapper Node puts around a CommonJS module, on the bundle's first line so lines keep their numbers.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: path,
    cachedData: cache.data,
  });
  cache.compiled(script);
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(path), module, path, dirname(path));
  return { exports: module.exports, script };
}

/**
 * The module at `entry` (relative to `root`, the project by default) loaded from its bundle cached
 * in `cache`, or null: `{ exports, codeCache, saveCodeCache(reach) }`. `codeCache` says whether the
 * code cache was used ('accepted') or why not ('absent', 'corrupt', 'stale', 'rejected', or 'none'
 * for an ES module bundle). Call `saveCodeCache` once the run is over, with a name for the kind
 * of run (e.g. the output format): it writes the code cache when there was none usable, or when
 * the cache does not cover a run of that kind as long as half this one (CodeCache.save); it never
 * throws. `racyMs` is the window of RACY_MS, for a test that cannot wait it out.
 */
async function loadBundled(name, entry, { root = PROJECT, cache = defaultCache(root), racyMs = RACY_MS } = {}) {
  try {
    const manifest = fresh(root, cache, name, racyMs) ?? build(root, cache, name, entry, racyMs);
    if (!manifest) return null;
    const path = join(cache, manifest.bundle);
    if (manifest.format === 'esm') {
      return { exports: await import(pathToFileURL(path).href), codeCache: 'none', saveCodeCache: () => false };
    }
    const key = { bundle: manifest.code, node: process.version, arch: process.arch, v8: require('node:v8').cachedDataVersionTag() };
    const codeCache = new CodeCache(join(cache, codeCacheName(manifest.bundle)), key);
    const { exports, script } = runCommonJs(path, codeCache);
    return {
      exports,
      get codeCache() {
        return codeCache.state;
      },
      saveCodeCache: (reach) => codeCache.save(script, reach),
    };
  } catch {
    return null;
  }
}

function defaultCache(root) {
  return process.env.OTSCOPE_CACHE_DIR || join(root, 'node_modules', '.cache', 'otscope');
}

module.exports = { loadBundled };
