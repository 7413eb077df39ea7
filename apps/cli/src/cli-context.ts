import type { Readable } from 'node:stream';

/**
 * What a command talks to: output streams, environment and stdin. main.ts hands it the process's;
 * a test may hand it buffers. Exit codes: 0 success, 1 verification failed, 2 usage or environment error.
 */
export interface CliContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  /** Set by a command; runCli returns it. */
  exitCode: number;
}

export const EXIT_OK = 0;
export const EXIT_VERIFY_FAILED = 1;
export const EXIT_USAGE = 2;

export function out(ctx: CliContext, line = ''): void {
  ctx.stdout.write(`${line}\n`);
}

export function err(ctx: CliContext, line = ''): void {
  ctx.stderr.write(`${line}\n`);
}

export const processContext = (): CliContext => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  exitCode: EXIT_OK,
});
