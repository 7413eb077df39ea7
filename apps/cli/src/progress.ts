import cliProgress from 'cli-progress';
import type { CliContext } from './cli-context.js';

/** Progress of a long run over blocks: a bar on stderr, or nothing. */
export interface Progress {
  start(label: string, total: number): void;
  update(value: number): void;
  stop(): void;
}

const SILENT: Progress = { start() {}, update() {}, stop() {} };

/** A bar when stderr is a terminal or `--progress` asks for one; silent otherwise. */
export function createProgress(ctx: CliContext, requested: boolean | undefined): Progress {
  const tty = ctx.stderr.isTTY === true;
  if (!tty && !requested) return SILENT;
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(label, total) {
      bar?.stop();
      bar = new cliProgress.SingleBar({
        stream: ctx.stderr,
        format: `${label} [{bar}] {percentage}% | {value}/{total} blocks | {duration_formatted} elapsed, eta {eta_formatted}`,
        noTTYOutput: !tty,
        notTTYSchedule: 1000,
        hideCursor: tty,
        clearOnComplete: tty,
        etaBuffer: 50,
        fps: 10,
      });
      bar.start(Math.max(total, 0), 0);
    },
    update(value) {
      bar?.update(value);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
