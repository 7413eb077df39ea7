import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { verifyEvidenceCertificate } from '@zizhu/chain';
import { EXIT_OK, EXIT_VERIFY_FAILED, out, type CliContext } from '../cli-context.js';
import { UsageError } from '../errors.js';
import { collect, readJson, trustedKeys } from '../support.js';

interface EvidenceVerifyOptions {
  trust?: string[];
  file?: string;
}

const isoTime = (ms: number): string => {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : `${ms} (${date.toISOString()})`;
};

async function readDocument(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new UsageError(code === 'ENOENT' ? `document ${path} does not exist` : `cannot read document ${path}: ${(e as Error).message}`);
  }
}

/**
 * `zizhu evidence verify <cert.json> --trust <vkey> [--file <doc>]`: an evidence certificate
 * (ledger-formats §7) offline, against checkpoint keys the caller trusts; with --file, also that the
 * document is the one certified.
 */
export async function evidenceVerify(ctx: CliContext, file: string, opts: EvidenceVerifyOptions): Promise<number> {
  const trust = trustedKeys(opts.trust ?? [], '--trust');
  if (trust.length === 0) throw new UsageError('give --trust <verifier key> (a checkpoint key you trust; keys listed in the certificate are never trusted)');
  const cert = await readJson(file, 'certificate');
  const document = opts.file === undefined ? undefined : await readDocument(opts.file);
  const result = verifyEvidenceCertificate(cert, trust, document);
  if (!result.ok) {
    out(ctx, `evidence verify: REJECTED at ${result.failed}: ${result.reason}`);
    return EXIT_VERIFY_FAILED;
  }
  const { evidence: ev, transaction: tx, checkpoint: cp } = result;
  out(ctx, `evidence certificate OK: ${ev.type} ${ev.digest.alg}:${ev.digest.value} issued by ${ev.issuer}`);
  out(ctx, `  evidence     ${ev.id}`);
  out(ctx, `  recorded at  ${isoTime(ev.recordedAt)}`);
  out(ctx, `  transaction  ${tx.hash} on channel ${tx.channel}, signed by key ${tx.signer}`);
  out(ctx, `  checkpoint   ${cp.origin} size ${cp.treeSize}, block ${cp.height} ${cp.blockHash}, signed by ${cp.verifiedBy.join(', ')}`);
  out(ctx, `  document     ${result.documentChecked ? `${opts.file} matches the certified digest` : 'not checked (give --file to compare the original)'}`);
  return EXIT_OK;
}

export function registerEvidenceVerify(evidence: Command, ctx: CliContext, action: (fn: () => Promise<number | void>) => Promise<void>): void {
  evidence
    .command('verify')
    .description('verify an evidence certificate offline: transaction, digest, log inclusion and a checkpoint signed by a trusted key')
    .argument('<file>', 'evidence certificate JSON (zizhu-evidence-certificate/v1)')
    .option('--trust <vkey>', 'a trusted checkpoint verifier key, name+hash+base64 (repeatable; required)', collect)
    .option('--file <doc>', 'the original document: its digest must equal the certified one')
    .action((file: string, opts: EvidenceVerifyOptions) => action(() => evidenceVerify(ctx, file, opts)));
}
