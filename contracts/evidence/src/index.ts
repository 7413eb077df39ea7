export * from './evidence.contract.js';
