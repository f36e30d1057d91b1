// V8 flags of `otscope analyze`. bin/otscope.js sets them before the analyze bundle is compiled,
// so the code cache is keyed to them (they are part of v8.cachedDataVersionTag()); bench/dpi.ts
// gives them to the child it times the analysis in, so that it times what the command runs.
//
// A cold analysis is mostly JIT work. On the 102 MB bench capture TurboFan compiled ~110 functions
// (some two or three times, after deoptimizations) on V8's background threads: ~0.17 s of CPU
// beside ~0.23 s on the main thread. With 4x the interrupt budget a function runs 4x as much
// bytecode before V8 optimizes it (so it has also seen more of its types), and half the cumulative
// inlining budget makes each compile smaller: 65 compiles and 4 deoptimizations instead of 110 and
// 11, ~0.07 s of background CPU, 0.464 -> 0.377 s CPU for the whole command (15 alternating cold
// runs each). Without loop peeling (TurboFan's separate copy of each loop's first iteration) the compiles
// shrink again: 0.373 -> 0.357 s (21 alternating runs each). A warm pass is not slower (~120-130 ms
// either way) and a 400 MB capture not dearer with any of the three.
// These flags are read at each tier-up decision and each compile, so setting them after V8 has
// started works; flags read when the heap is set up (--single-threaded-gc) abort the process when
// set this late.
const ANALYZE_V8_FLAGS = ['--interrupt-budget=270336', '--max-inlined-bytecode-size-cumulative=460', '--no-turbo-loop-peeling'];

/** The V8 these values were measured on (Node 20's). Another V8 tiers up differently (Maglev in
 * Node 22 and later) and may have renamed a flag, which it would report on every run. */
const MEASURED_V8 = /^11\.3\./;

/** V8's spelling of a flag's name: `--no-turbo_loop_peeling=x` → `turbo-loop-peeling`. */
const flagName = (flag) => flag.replace(/^--(no-?)?/, '').split('=')[0].replace(/_/g, '-');

/**
 * The flags `analyze` should set in this process: none on a V8 they were not measured on, and
 * none that the user gave node on its command line (theirs wins).
 */
function analyzeV8Flags(execArgv = process.execArgv, v8Version = process.versions.v8) {
  if (!MEASURED_V8.test(v8Version)) return [];
  const given = new Set(execArgv.filter((a) => a.startsWith('--')).map(flagName));
  return ANALYZE_V8_FLAGS.filter((f) => !given.has(flagName(f)));
}

module.exports = { ANALYZE_V8_FLAGS, analyzeV8Flags };
