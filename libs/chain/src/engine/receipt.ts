import type { JsonValue } from '@zizhu/crypto';
import type { ContractEvent } from '../contract/index.js';
import type { BlockHeader, TxStatus } from '../formats/index.js';

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
  /** Final state writes of the block, values parsed; null for deletions. */
  writes: [string, JsonValue | null][];
}
