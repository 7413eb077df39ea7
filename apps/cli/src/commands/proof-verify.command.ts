import type { Command } from 'commander';
import { leafHash, verifyCheckpoint, verifyConsistency, verifyInclusion, type Checkpoint } from '@zizhu/chain';
import { fromBase64 } from '@zizhu/crypto';
import { EXIT_OK, EXIT_VERIFY_FAILED, out, type CliContext } from '../cli-context.js';
import { UsageError } from '../errors.js';
import { collect, readJson, trustedKeys } from '../support.js';

interface ProofVerifyOptions {
  trust?: string[];
  /** false with --no-checkpoint: take the root(s) from the file, unauthenticated. */
  checkpoint: boolean;
}

/** Why a proof is rejected (exit 1), as opposed to a usage mistake (exit 2). */
class Rejected extends Error {}

const reject = (reason: string): never => {
  throw new Rejected(reason);
};

function count(doc: Record<string, unknown>, field: string): number {
  const v = doc[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) reject(`"${field}" must be a non-negative integer`);
  return v as number;
}

function bytes(v: unknown, what: string, size?: number): Buffer {
  let b: Buffer;
  try {
    b = fromBase64(v as string);
  } catch {
    return reject(`${what} is not padded standard base64`);
  }
  if (size !== undefined && b.length !== size) reject(`${what} is not ${size} bytes`);
  return b;
}

function hashes(v: unknown): Buffer[] {
  if (!Array.isArray(v)) reject('"proof" must be an array of base64 hashes');
  return (v as unknown[]).map((h, i) => bytes(h, `proof[${i}]`, 32));
}

function checkpointOf(doc: Record<string, unknown>, field: string, trust: string[]): Checkpoint & { verifiedBy: string[] } {
  const note = doc[field];
  if (typeof note !== 'string') reject(`"${field}" must be the signed checkpoint text (or use --no-checkpoint with a root)`);
  try {
    const { checkpoint, verifiedBy } = verifyCheckpoint(note as string, trust);
    return { ...checkpoint, verifiedBy };
  } catch (e) {
    return reject(`${field} does not verify: ${(e as Error).message}`);
  }
}

const describeCheckpoint = (cp: Checkpoint & { verifiedBy: string[] }): string =>
  `checkpoint ${cp.origin} size ${cp.treeSize}, block ${cp.height} ${cp.blockHash}, signed by ${cp.verifiedBy.join(', ')}`;

function verifyInclusionFile(ctx: CliContext, doc: Record<string, unknown>, opts: ProofVerifyOptions, trust: string[]): void {
  const leafIndex = count(doc, 'leafIndex');
  const treeSize = count(doc, 'treeSize');
  if (leafIndex >= treeSize) reject(`leaf ${leafIndex} is not in a tree of size ${treeSize}`);
  const leaf = bytes(doc.leaf, '"leaf"');
  const proof = hashes(doc.proof);
  let root: Buffer;
  let details: string;
  if (opts.checkpoint) {
    const cp = checkpointOf(doc, 'checkpoint', trust);
    if (cp.treeSize !== treeSize) reject(`the proof is for a tree of size ${treeSize}, the checkpoint for size ${cp.treeSize}`);
    root = cp.root;
    details = describeCheckpoint(cp);
  } else {
    root = bytes(doc.root, '"root"', 32);
    details = 'root taken from the file, NOT authenticated by a checkpoint';
  }
  if (!verifyInclusion(leafHash(leaf), leafIndex, treeSize, proof, root)) reject(`the proof does not lead from leaf ${leafIndex} to the root of the tree of size ${treeSize}`);
  out(ctx, `inclusion proof OK: leaf ${leafIndex} in tree of size ${treeSize}`);
  out(ctx, `  ${details}`);
  try {
    const parsed = JSON.parse(leaf.toString('utf8')) as { tx?: unknown; status?: unknown };
    if (typeof parsed.tx === 'string') out(ctx, `  leaf: transaction ${parsed.tx} ${String(parsed.status)}`);
  } catch {
    // Not a Zizhu log leaf: the proof still holds for its bytes.
  }
}

function verifyConsistencyFile(ctx: CliContext, doc: Record<string, unknown>, opts: ProofVerifyOptions, trust: string[]): void {
  const fromSize = count(doc, 'fromSize');
  const toSize = count(doc, 'toSize');
  if (fromSize > toSize) reject(`fromSize ${fromSize} is larger than toSize ${toSize}`);
  const proof = hashes(doc.proof);
  let fromRoot: Buffer;
  let toRoot: Buffer;
  const details: string[] = [];
  if (opts.checkpoint) {
    const from = checkpointOf(doc, 'fromCheckpoint', trust);
    const to = checkpointOf(doc, 'toCheckpoint', trust);
    if (from.origin !== to.origin) reject(`the checkpoints are of different logs (${from.origin}, ${to.origin})`);
    if (from.treeSize !== fromSize) reject(`fromSize is ${fromSize}, fromCheckpoint is for size ${from.treeSize}`);
    if (to.treeSize !== toSize) reject(`toSize is ${toSize}, toCheckpoint is for size ${to.treeSize}`);
    fromRoot = from.root;
    toRoot = to.root;
    details.push(`from ${describeCheckpoint(from)}`, `to   ${describeCheckpoint(to)}`);
  } else {
    fromRoot = bytes(doc.fromRoot, '"fromRoot"', 32);
    toRoot = bytes(doc.toRoot, '"toRoot"', 32);
    details.push('roots taken from the file, NOT authenticated by checkpoints');
  }
  if (!verifyConsistency(fromSize, toSize, proof, fromRoot, toRoot)) reject(`the tree of size ${toSize} does not extend the tree of size ${fromSize} (the proof does not hold)`);
  out(ctx, `consistency proof OK: tree of size ${fromSize} is a prefix of tree of size ${toSize}`);
  for (const d of details) out(ctx, `  ${d}`);
}

/**
 * `zizhu proof verify <file>`: checks an inclusion or consistency proof offline against checkpoints
 * signed by a trusted key.
 */
export async function proofVerify(ctx: CliContext, file: string, opts: ProofVerifyOptions): Promise<number> {
  const trust = opts.checkpoint ? trustedKeys(opts.trust ?? [], '--trust') : [];
  if (opts.checkpoint && trust.length === 0) throw new UsageError('give --trust <verifier key> (the key whose checkpoint signature you trust), or --no-checkpoint');
  const doc = await readJson(file, 'proof file');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UsageError(`proof file ${file} is not a JSON object`);
  const d = doc as Record<string, unknown>;
  try {
    if (d.type === 'inclusion') verifyInclusionFile(ctx, d, opts, trust);
    else if (d.type === 'consistency') verifyConsistencyFile(ctx, d, opts, trust);
    else throw new UsageError(`proof file ${file}: "type" must be "inclusion" or "consistency"`);
    return EXIT_OK;
  } catch (e) {
    if (!(e instanceof Rejected)) throw e;
    out(ctx, `proof verify: ${d.type} proof REJECTED: ${e.message}`);
    return EXIT_VERIFY_FAILED;
  }
}

export function registerProofVerify(proof: Command, ctx: CliContext, action: (fn: () => Promise<number | void>) => Promise<void>): void {
  proof
    .command('verify')
    .description('verify an inclusion or consistency proof offline, against checkpoints signed by a trusted key')
    .argument('<file>', 'proof JSON: {"type":"inclusion",leafIndex,treeSize,leaf,proof,checkpoint} or {"type":"consistency",fromSize,toSize,proof,fromCheckpoint,toCheckpoint}')
    .option('--trust <vkey>', 'a trusted checkpoint verifier key (repeatable; required unless --no-checkpoint)', collect)
    .option('--no-checkpoint', 'take "root" (or "fromRoot"/"toRoot") from the file instead of signed checkpoints: proves consistency of the data only')
    .action((file: string, opts: ProofVerifyOptions) => action(() => proofVerify(ctx, file, opts)));
}
