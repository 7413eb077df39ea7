export * from './lending.contract.js';
