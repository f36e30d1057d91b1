#!/usr/bin/env node
// The `otscope` command. Sources are TypeScript run through tsx, so a fresh `npm ci` is enough.
// `analyze`, a short command run on many files by scripts, starts from a cached bundle instead
// (bin/cached-bundle.js); tsx remains the fallback.
const argv = process.argv.slice(2);
if (argv[0] === 'analyze') {
  const { importBundled } = await import('./cached-bundle.js');
  const analyze = await importBundled('analyze', 'src/cli/analyze.ts');
  if (analyze) {
    process.exitCode = await analyze.run(argv.slice(1));
  }
}
if (process.exitCode === undefined) {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(argv);
}
