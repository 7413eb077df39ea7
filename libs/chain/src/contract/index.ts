export * from './contract.js';
export { ContractError } from '../errors.js';
// Deterministic helpers contracts may use.
export { sha256Hex, canonicalJson, ed25519Verify, fromBase64 } from '@zizhu/crypto';
export { keyIdOf } from '../formats/transaction.js';
