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
    // Before the bundle is compiled: V8 keys the code cache to its flags (bin/v8-flags.js).
    require('node:v8').setFlagsFromString(require('./v8-flags.js').ANALYZE_V8_FLAGS.join(' '));
    const { loadBundled } = require('./cached-bundle.js');
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
