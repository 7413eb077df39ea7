import type { Sender } from '../contract/index.js';
import type { JsonValue } from '@zizhu/crypto';

export type ContractStatus = 'ACTIVE' | 'FROZEN' | 'REVOKED';

/**
 * What the engine needs to know about the consortium: signers, channel membership and the status
 * of each contract's code. The system contract defines how this is kept in the system channel's
 * state; the engine only reads it through this interface, fed with that channel's writes.
 */
export interface ConsortiumDirectory {
  readonly consortiumId: string;
  /** The system channel's height whose writes have been applied. */
  readonly height: number;
  /** An active signer (its key not revoked, its organisation a member). */
  signer(keyId: string): (Sender & { publicKey: string }) | undefined;
  channel(name: string): { members: readonly string[]; contracts: readonly string[] } | undefined;
  /** The code hash the consortium approved for a contract, and its status. */
  contract(name: string, codeHash: string): ContractStatus | undefined;
  /** Public keys of the nodes allowed to propose blocks (block `proposer`), by keyId. */
  proposer(keyId: string): { name: string; publicKey: string } | undefined;
  /** Apply one system block's writes (in key order). */
  apply(height: number, writes: [string, JsonValue | null][]): void;
}
