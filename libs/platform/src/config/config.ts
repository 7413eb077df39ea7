import { CONFIG_VARIABLES, type ConfigName, type VariableSpec, type ZizhuConfig } from './config.schema.js';

/** A configuration value that stops the node at boot, naming the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`configuration: ${variable} ${message}`);
  }
}

/** Reads and validates the configuration once; the first bad value throws a ConfigError naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ZizhuConfig {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CONFIG_VARIABLES) as [string, VariableSpec][]) {
    const raw = env[name];
    const parsed = spec.schema.safeParse(raw === '' ? undefined : raw);
    if (!parsed.success) {
      const why = parsed.error.issues[0]?.message ?? 'is invalid';
      throw new ConfigError(name, spec.secret ? `is invalid (${why})` : `is invalid: ${why} (got ${JSON.stringify(raw)})`);
    }
    out[name] = parsed.data;
  }
  const config = out as ZizhuConfig;
  if (config.NODE_ENV === 'production' && !config.ZIZHU_KEYSTORE_PASSPHRASE) {
    throw new ConfigError('ZIZHU_KEYSTORE_PASSPHRASE', 'is required in production (the keystore is encrypted under it)');
  }
  if (config.NODE_ENV === 'production' && config.ZIZHU_TEST_CLOCK_TOKEN !== undefined) {
    throw new ConfigError('ZIZHU_TEST_CLOCK_TOKEN', 'must not be set in production (it lets a caller move the node\'s clock; tests and benchmarks only)');
  }
  if (config.NODE_ENV === 'production' && config.WEBHOOK_ALLOW_HTTP) {
    throw new ConfigError('WEBHOOK_ALLOW_HTTP', 'must not be true in production (webhook deliveries carry signed business events: https only)');
  }
  return config;
}

/** The configuration with secrets masked, for logs and diagnostics. */
export function describeConfig(config: ZizhuConfig): Record<string, unknown> {
  return Object.fromEntries(
    (Object.keys(CONFIG_VARIABLES) as ConfigName[]).map((k) => {
      const secret = (CONFIG_VARIABLES[k] as VariableSpec).secret === true;
      return [k, secret && config[k] !== undefined ? '***' : config[k]];
    }),
  );
}

export const ZIZHU_CONFIG = Symbol('ZIZHU_CONFIG');
