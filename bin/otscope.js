#!/usr/bin/env node
// The `otscope` command. Sources are TypeScript run through tsx, so a fresh `npm ci` is enough.
// `analyze`, a short command run on many files by scripts, starts from a cached bundle instead
// (bin/cached-bundle.js), with a V8 code cache written after the run; tsx remains the fallback.
// CommonJS (bin/package.json), so that `analyze` does not start Node's ES module loader.

/**
 * Which part of `analyze` a run reaches, as the code cache records it: a summary, NDJSON output
 * and a usage message compile different functions, so the first run of each kind adds its own.
 */
function analyzeReach(args) {
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) return 'usage';
  return args.includes('ndjson') || args.includes('--format=ndjson') ? 'ndjson' : 'summary';
}

async function main(argv) {
  if (argv[0] === 'analyze') {
    // Node's own modules first: their built-in code cache is keyed to the flags Node was built
    // with, and V8 would compile them from source once ours are set.
    const { loadBundled } = require('./cached-bundle.js');
    for (const m of ['node:zlib', 'node:fs/promises']) require(m);
    // Then, before the bundle is compiled, the flags V8 keys its code cache to (bin/v8-flags.js).
    const flags = require('./v8-flags.js').analyzeV8Flags();
    if (flags.length) require('node:v8').setFlagsFromString(flags.join(' '));
    const analyze = await loadBundled('analyze', 'src/cli/analyze.ts');
    if (analyze) {
      process.exitCode = await analyze.exports.run(argv.slice(1));
      analyze.saveCodeCache(analyzeReach(argv.slice(1)));
      return;
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  const cli = await import('../src/cli/main.ts');
  process.exitCode = await cli.main(argv);
}

main(process.argv.slice(2));
