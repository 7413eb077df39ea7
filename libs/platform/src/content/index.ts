export * from './content-store.js';
export * from './local-content-store.js';
export * from './content-http.js';
export * from './content.module.js';
export * from './sealed-original.entity.js';
export * from './sealed-originals.service.js';
