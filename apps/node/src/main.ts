#!/usr/bin/env node
import 'reflect-metadata';
import { ConfigError } from '@zizhu/platform';
import { bootNode, NODE_ROLES, type NodeRole, type RunningNode } from './boot.js';

/** `node apps/node/dist/main.js [--role all|api|worker]` (or ZIZHU_ROLE). */
function roleFlag(argv: string[]): NodeRole | undefined {
  const i = argv.findIndex((a) => a === '--role' || a.startsWith('--role='));
  if (i < 0) return undefined;
  const value = argv[i].includes('=') ? argv[i].slice('--role='.length) : argv[i + 1];
  if (!NODE_ROLES.includes(value as NodeRole)) throw new ConfigError('--role', `must be one of ${NODE_ROLES.join(', ')} (got ${JSON.stringify(value ?? '')})`);
  return value as NodeRole;
}

const fatal = (message: string, variable?: string) => process.stderr.write(`${JSON.stringify({ level: 'fatal', context: 'Boot', message, variable })}\n`);

let node: RunningNode;
try {
  node = await bootNode({ role: roleFlag(process.argv.slice(2)) });
} catch (e) {
  // A configuration error is the operator's to fix: say which variable, without a stack.
  if (e instanceof ConfigError) fatal(e.message, e.variable);
  else fatal(`node failed to start: ${(e as Error)?.stack ?? e}`);
  process.exit(1);
}

// SIGTERM or SIGINT: stop taking work, let running jobs and requests finish, stop the embedded
// PostgreSQL and Redis this process started, exit 0. A second signal exits 1 at once.
let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) process.exit(1);
  stopping = true;
  process.stderr.write(`${JSON.stringify({ level: 'info', context: 'Boot', message: `${signal}: stopping` })}\n`);
  node.close().then(
    () => process.exit(0),
    (e: unknown) => {
      fatal(`error while stopping: ${(e as Error)?.stack ?? e}`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
