export * from './transaction.js';
export * from './block.js';
