export * from './content-store.js';
export * from './local-content-store.js';
export * from './content-http.js';
export * from './content.module.js';
