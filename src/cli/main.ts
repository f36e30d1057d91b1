// The `otscope` command: one table of subcommands, each a module loaded only when used.
interface Command {
  summary: string;
  load: () => Promise<{ run(args: string[]): Promise<number> }>;
}

const COMMANDS: Record<string, Command> = {
  serve: { summary: 'run the platform (API, dashboard, engines) in one process', load: () => import('./serve.ts') },
  scan: { summary: 'identify ICS services on addresses in scope: otscope scan TARGET... [--ports LIST] [--rate N] [--scope FILE] [--resume FILE]', load: () => import('./scan.ts') },
  analyze: { summary: 'decode ICS traffic in pcap/pcapng files: otscope analyze <file|dir>... [--format summary|ndjson]', load: () => import('./analyze.ts') },
  twin: { summary: 'run a digital twin of the province on loopback: otscope twin --devices N --seed S [--cidr C] [--truth FILE]', load: () => import('./twin.ts') },
  honeypot: { summary: 'run a honeypot sensor: otscope honeypot --persona ID|random [--bind ADDR] [--ports proto=port,...] [--submit URL --token T] [--log FILE]', load: () => import('./honeypot.ts') },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['Usage: otscope <command> [options]', '', 'Commands:', ...lines, '', 'otscope <command> --help shows a command\'s options.'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`otscope: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  // A closed pipe (`otscope honeypot --list-personas | head`) ends the output quietly instead of
  // crashing. (`analyze` sets its own: it also runs from its bundle, without this module.)
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  const mod = await command.load();
  return mod.run(rest);
}
