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
