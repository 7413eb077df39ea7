export * from './boot.js';
export * from './app.module.js';
export * from './worker.module.js';
export * from './resolvers.js';
export * from './print-schema.js';
export * from './node-ledger.js';
export * from './node-modules.js';
export * from './test-clock.js';
