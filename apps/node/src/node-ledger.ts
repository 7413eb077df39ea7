import { NotaryContract } from '@zizhu/contract-sample';
import type { ContractClass } from '@zizhu/chain';
import type { DevChannelSpec } from '@zizhu/platform';

/**
 * What the node runs on its ledger: the business contracts besides the system contract, and the
 * channels a development consortium opens for every organisation on first start. The sample
 * notary is the only one until the evidence module registers its own.
 */
export const NODE_LEDGER: { contracts: ContractClass[]; devChannels: DevChannelSpec[] } = {
  contracts: [NotaryContract],
  devChannels: [{ name: 'notary', contracts: ['notary'] }],
};
