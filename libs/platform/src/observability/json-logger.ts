import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { ZizhuConfig } from '../config/config.schema.js';

const LEVELS: Record<ZizhuConfig['LOG_LEVEL'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Structured logs: one JSON object per line (Nest's ConsoleLogger in JSON mode), at LOG_LEVEL. */
export function createJsonLogger(level: ZizhuConfig['LOG_LEVEL']): ConsoleLogger {
  return new ConsoleLogger({ json: true, logLevels: LEVELS[level] });
}
