#!/usr/bin/env node
import 'reflect-metadata';
import { ConfigError } from '@zizhu/platform';
import { bootNode, NODE_ROLES, type NodeRole } from './boot.js';

/** `node apps/node/dist/main.js [--role all|api|worker]` (or ZIZHU_ROLE). */
function roleFlag(argv: string[]): NodeRole | undefined {
  const i = argv.findIndex((a) => a === '--role' || a.startsWith('--role='));
  if (i < 0) return undefined;
  const value = argv[i].includes('=') ? argv[i].slice('--role='.length) : argv[i + 1];
  if (!NODE_ROLES.includes(value as NodeRole)) throw new ConfigError('--role', `must be one of ${NODE_ROLES.join(', ')} (got ${JSON.stringify(value ?? '')})`);
  return value as NodeRole;
}

try {
  await bootNode({ role: roleFlag(process.argv.slice(2)) });
} catch (e) {
  // A configuration error is the operator's to fix: say which variable, without a stack.
  const message = e instanceof ConfigError ? e.message : `node failed to start: ${(e as Error)?.stack ?? e}`;
  process.stderr.write(`${JSON.stringify({ level: 'fatal', context: 'Boot', message, variable: e instanceof ConfigError ? e.variable : undefined })}\n`);
  process.exit(1);
}
