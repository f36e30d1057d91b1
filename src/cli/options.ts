// Command-line options through Node's own parser (node:util parseArgs: `--flag value`,
// `--flag=value`, unknown options refused); this file only turns its throws into the one-line
// reasons the commands print, and checks numbers.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The parsed values and positionals, or the reason they could not be parsed. */
export function readOptions<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (e) {
    return (e as Error).message;
  }
}

/** A positive integer option, or a thrown reason naming the option. */
export function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer, got ${text}`);
  return n;
}

/**
 * A command's parsed options, or its exit code: the usage on --help (0), or the reason and the
 * usage on a bad option (2). `reason` prefixes the reason (scan prints its stable code there).
 */
export function commandOptions<A extends object>(command: string, usage: string, argv: string[], parse: (argv: string[]) => A | string, reason = ''): A | number {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return 0;
  }
  const args = parse(argv);
  if (typeof args !== 'string') return args;
  console.error(`otscope ${command}: ${reason}${args}\n\n${usage}`);
  return 2;
}
