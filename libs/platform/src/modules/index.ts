export * from './zizhu-module.js';
