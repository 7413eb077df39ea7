export * from './genesis.js';
export { SystemContract } from './system.contract.js';
export { SystemDirectory } from './system-directory.js';
