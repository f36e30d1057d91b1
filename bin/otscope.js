#!/usr/bin/env node
// The `otscope` command. Sources are TypeScript run through tsx, so a fresh `npm ci` is enough.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
