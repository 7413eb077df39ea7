export * from './genesis-builder.js';
export * from './dev-consortium.js';
export * from './user-certificate.js';
