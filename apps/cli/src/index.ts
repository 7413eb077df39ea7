export * from '@zizhu/consortium';
export { CONTRACT_REGISTRY, registeredContracts, resolveContract } from './registry.js';
export { UsageError, describeError } from './errors.js';
export { EXIT_OK, EXIT_USAGE, EXIT_VERIFY_FAILED, type CliContext } from './cli-context.js';
export { buildProgram, runCli, CLI_VERSION } from './program.js';
export { parseChannelSpec, parseOrgSpec } from './commands/genesis-create.command.js';
export { PASSPHRASE_ENV, SCRYPT_N_ENV, DATABASE_URL_ENV } from './support.js';
