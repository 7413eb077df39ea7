export * from './field-encryption.service.js';
export * from './privacy.module.js';
