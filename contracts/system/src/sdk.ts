// The contract's only imports: the chain's contract SDK (types, ContractError, deterministic helpers).
export { ContractError, keyIdOf, type ContractContext, type MethodSpec } from '@zizhu/chain';

/** Decodes a base64 raw 32-byte key (validated by the method's schema). */
export function fromBase64Key(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}
