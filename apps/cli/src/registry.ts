import type { ContractClass } from '@zizhu/chain';
import { SystemContract } from '@zizhu/contract-system';
import { NotaryContract } from '@zizhu/contract-sample';
import { EvidenceContract } from '@zizhu/contract-evidence';
import { LendingContract } from '@zizhu/contract-lending';
import { UsageError } from './errors.js';

/**
 * The contracts this CLI build knows, by contract name (what genesis channels and replay run):
 * the system and sample contracts, and the business contracts a node deploys, so that
 * `ledger replay` re-executes a node's evidence and lending channels too.
 */
export const CONTRACT_REGISTRY: Readonly<Record<string, ContractClass>> = Object.freeze({
  [SystemContract.contractName]: SystemContract,
  [NotaryContract.contractName]: NotaryContract,
  [EvidenceContract.contractName]: EvidenceContract,
  [LendingContract.contractName]: LendingContract,
});

/** Every registered contract class (what a chain or a replay is opened with). */
export const registeredContracts = (): ContractClass[] => Object.values(CONTRACT_REGISTRY);

export function resolveContract(name: string): ContractClass {
  const cls = Object.hasOwn(CONTRACT_REGISTRY, name) ? CONTRACT_REGISTRY[name] : undefined;
  if (!cls) throw new UsageError(`unknown contract "${name}" (known: ${Object.keys(CONTRACT_REGISTRY).join(', ')})`);
  return cls;
}
