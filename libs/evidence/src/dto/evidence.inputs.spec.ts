import 'reflect-metadata';
import { describe, it, expect } from '@jest/globals';
import { createValidationPipe } from '@zizhu/platform';
import { AnchorEvidenceBatchInput, MAX_BATCH, plainlyValidBatch } from './evidence.inputs.js';

const item = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  digest: { alg: 'sha256', value: 'ab'.repeat(32) },
  type: 'INVOICE',
  holder: 'platform-a',
  holderIdentity: 'Cardholder 6222 **** 0001',
  title: 'Invoice 2026/118',
  amount: '125000',
  reference: 'PO-1',
  ...over,
});

/** What the node's validation pipe says of a batch (the authority anchorEvidenceBatch falls back to). */
async function pipeAccepts(items: unknown): Promise<boolean> {
  try {
    await createValidationPipe().transform({ items }, { type: 'body', metatype: AnchorEvidenceBatchInput });
    return true;
  } catch {
    return false;
  }
}

const long = (n: number) => 'x'.repeat(n);
const VARIANTS: Record<string, unknown>[] = [
  item(),
  item({ digest: { alg: 'sm3', value: '0'.repeat(64) } }),
  item({ holderIdentity: undefined, title: undefined, amount: undefined, reference: undefined }),
  item({ holderIdentity: null, title: null, amount: null, reference: null, replaces: null }),
  item({ replaces: 'c'.repeat(64) }),
  item({ title: long(256), holderIdentity: long(256), reference: long(256) }),
  item({ amount: '0' }),
  item({ amount: '1'.repeat(31) }),
  item({ type: 'E_CONTRACT', holder: 'a' }),
  item({ holder: 'a'.repeat(63) }),
  // Refused (by both, or by this check only: then the pipe decides).
  item({ title: long(257) }),
  item({ holderIdentity: long(257) }),
  item({ reference: long(257) }),
  item({ title: '😀'.repeat(200) }),
  item({ title: 5 }),
  item({ amount: '01' }),
  item({ amount: '1'.repeat(32) }),
  item({ amount: '-1' }),
  item({ amount: 12 }),
  item({ replaces: 'C'.repeat(64) }),
  item({ replaces: 'c'.repeat(63) }),
  item({ digest: { alg: 'md5', value: 'ab'.repeat(32) } }),
  item({ digest: { alg: 'sha256', value: 'AB'.repeat(32) } }),
  item({ digest: { alg: 'sha256', value: 'ab'.repeat(31) } }),
  item({ digest: { alg: 'sha256' } }),
  item({ digest: null }),
  item({ digest: 'ab'.repeat(32) }),
  item({ type: 'NOTE' }),
  item({ type: undefined }),
  item({ holder: 'Platform-A' }),
  item({ holder: '' }),
  item({ holder: 'a'.repeat(64) }),
  item({ holder: '-a' }),
  item({ holder: undefined }),
];

describe('plainlyValidBatch (anchorEvidenceBatch without the validation pipe)', () => {
  it('never accepts an item the validation pipe refuses', async () => {
    for (const v of VARIANTS) {
      if (plainlyValidBatch([v])) expect({ item: v, pipe: await pipeAccepts([v]) }).toEqual({ item: v, pipe: true });
    }
  });

  it('accepts what the pipe accepts in the ordinary forms, so that batches skip it', async () => {
    for (const v of VARIANTS.slice(0, 10)) {
      expect({ item: v, pipe: await pipeAccepts([v]) }).toEqual({ item: v, pipe: true });
      expect({ item: v, fast: plainlyValidBatch([v]) }).toEqual({ item: v, fast: true });
    }
  });

  it('checks the batch itself: 1 to MAX_BATCH items, every one of them', async () => {
    for (const items of [[], Array.from({ length: MAX_BATCH + 1 }, () => item()), [item(), item({ amount: '01' })], item(), null]) {
      expect(plainlyValidBatch(items)).toBe(false);
      expect(await pipeAccepts(items)).toBe(false);
    }
    expect(plainlyValidBatch(Array.from({ length: MAX_BATCH }, () => item()))).toBe(true);
  });
});
