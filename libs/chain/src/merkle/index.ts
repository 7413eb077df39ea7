export { EMPTY_ROOT, HASH_SIZE, leafHash, nodeHash } from './hashes.js';
export {
  type NodeId,
  decompose,
  foldRight,
  leafEnd,
  leafStart,
  nodeFromLeafEnd,
  nodeKey,
} from './tree-math.js';
export {
  type ProofPlan,
  assembleProof,
  consistencyProofPlan,
  inclusionProofPlan,
  planNodes,
  rootFromInclusion,
  verifyConsistency,
  verifyInclusion,
} from './proofs.js';
export { CompactRange, type OnNode } from './compact-range.js';
