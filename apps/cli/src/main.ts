#!/usr/bin/env node
import { processContext } from './cli-context.js';
import { runCli } from './program.js';

// Library deprecation notices (pg's) are for developers, not for someone verifying a ledger.
process.noDeprecation = true;

const ctx = processContext();
const code = await runCli(process.argv.slice(2), ctx);
// Flush both streams, then exit even if a library left a handle open (a pool's idle timer, say).
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
