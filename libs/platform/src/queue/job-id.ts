/**
 * Deterministic job ids: the same work always gets the same id, so enqueueing it again (a replayed
 * projection, a retried use case, a relay that crashed before marking its rows) is a no-op.
 */
export function jobId(...parts: (string | number)[]): string {
  for (const part of parts) {
    const text = String(part);
    if (!text || text.includes(':')) throw new Error(`job id parts must be non-empty and free of ':' (got ${JSON.stringify(text)})`);
  }
  const id = parts.join(':');
  if (id.length > 200) throw new Error(`job id too long (${id.length} > 200)`);
  return id;
}

/**
 * BullMQ refuses custom ids with ':' unless they have exactly three parts (its legacy repeat-job
 * ids), and ids that look like integers: ':' and '%' are percent-encoded, integers prefixed.
 */
export function toBullJobId(id: string): string {
  const encoded = id.replace(/%/g, '%25').replace(/:/g, '%3A');
  // '%' in the encoding is always followed by 25 or 3A, so '%N' cannot be confused with it.
  return /^\d+$/.test(encoded) ? `%N${encoded}` : encoded;
}

export function fromBullJobId(bullId: string): string {
  const body = bullId.startsWith('%N') ? bullId.slice(2) : bullId;
  return body.replace(/%(25|3A)/g, (_, code: string) => (code === '25' ? '%' : ':'));
}
