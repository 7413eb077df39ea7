export * from './genesis-builder.js';
export * from './dev-consortium.js';
