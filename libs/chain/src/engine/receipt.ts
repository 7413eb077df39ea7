import type { JsonValue } from '@zizhu/crypto';
import type { ContractEvent } from '../contract/index.js';
import type { BlockHeader, SignedTransaction, TxStatus } from '../formats/index.js';

/** What a submitter learns once its transaction's block is durable. */
export interface TxReceipt {
  hash: string;
  channel: string;
  height: number;
  blockHash: string;
  leafIndex: number;
  status: TxStatus;
  value: JsonValue | null;
  events: ContractEvent[];
  error?: { code: string; message: string };
}

/** Published after every durable block commit (and handed to projections inside it). */
export interface CommittedBlock {
  channel: string;
  header: BlockHeader;
  hash: string;
  checkpoint: string;
  receipts: TxReceipt[];
  /**
   * The block's signed transactions, in order: `receipts[i]` is `transactions[i]`'s. What a
   * projection reads of a call's arguments that the contract does not keep in state (ciphertext
   * that only the log needs to hold, for one).
   */
  transactions: readonly SignedTransaction[];
  /** Final state writes of the block, values parsed; null for deletions. */
  writes: [string, JsonValue | null][];
}
