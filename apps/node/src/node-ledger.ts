import type { ContractClass } from '@zizhu/chain';
import type { DevChannelSpec } from '@zizhu/platform';
import { NODE } from './node-modules.js';

/**
 * What the node runs on its ledger, from its modules (node-modules.ts): the business contracts
 * besides the system contract, and the channels a development consortium opens on first start.
 */
export const NODE_LEDGER: { contracts: ContractClass[]; devChannels: DevChannelSpec[] } = {
  contracts: NODE.contracts,
  devChannels: NODE.devChannels,
};
