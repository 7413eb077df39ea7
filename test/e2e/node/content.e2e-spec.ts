import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestNode, type TestNode } from '../../support/node.js';

const LIMIT = 256 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function multipart(file: Buffer, filename = 'contract.pdf', type = 'application/pdf'): { body: Buffer; contentType: string } {
  const boundary = `zizhu${randomBytes(8).toString('hex')}`;
  const head = `--${boundary}\r\ncontent-disposition: form-data; name="note"\r\n\r\nsigned copy\r\n--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${filename}"\r\ncontent-type: ${type}\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

interface HttpAnswer {
  status: number;
  headers: Headers;
  bytes: Buffer;
  json: { errors?: { extensions?: { code?: string; reason?: string } }[]; [k: string]: unknown };
}

async function answer(res: Response): Promise<HttpAnswer> {
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: HttpAnswer['json'] = {};
  try {
    json = JSON.parse(bytes.toString('utf8')) as HttpAnswer['json'];
  } catch {
    /* a download */
  }
  return { status: res.status, headers: res.headers, bytes, json };
}

const errorOf = (a: HttpAnswer) => a.json.errors?.[0]?.extensions;

describe('content store and streamed uploads (the notary module: custody of originals)', () => {
  let t: TestNode;
  const tokens: Record<string, string> = {};
  const original = Buffer.concat([Buffer.from('%PDF-1.7 ZIZHU-PLAINTEXT-MARKER '), randomBytes(100 * 1024)]);
  let contentDir: string;
  const storedFiles = async (): Promise<string[]> => {
    const out: string[] = [];
    const walk = async (dir: string) => {
      for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        if (e.isDirectory()) await walk(join(dir, e.name));
        else out.push(join(dir, e.name));
      }
    };
    await walk(join(contentDir, 'sha256'));
    return out.sort();
  };
  const staging = () => readdir(join(contentDir, 'tmp'));

  const upload = async (id: string, file: Buffer, token?: string, extra: Record<string, string> = {}) => {
    const { body, contentType } = multipart(file);
    const headers: Record<string, string> = { 'content-type': contentType, ...extra };
    if (token) headers.authorization = `Bearer ${token}`;
    return answer(await fetch(`${t.url}/notary/documents/${id}/original`, { method: 'POST', headers, body }));
  };
  const download = async (id: string, token: string, purpose?: string) =>
    answer(await fetch(`${t.url}/notary/documents/${id}/original${purpose ? `?purpose=${encodeURIComponent(purpose)}` : ''}`, { headers: { authorization: `Bearer ${token}` } }));

  beforeAll(async () => {
    t = await startTestNode({ UPLOAD_MAX_BYTES: String(LIMIT) });
    contentDir = join(t.home, 'content');
    for (const org of ['bank-a', 'regulator', 'platform-a']) tokens[org] = await t.login(org, 'admin', t.adminPassword(org));
    const recorded = await t.gql<{ recordDocument: { status: string } }>(
      'mutation($i: RecordDocumentInput!) { recordDocument(input: $i) { status } }',
      { i: { id: 'doc-1', digest: sha256(original), title: 'sales contract' } },
      { token: tokens['bank-a'] },
    );
    expect(recorded.body.data?.recordDocument.status).toBe('COMMITTED');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps an upload whose digest is the recorded one, encrypted (JWE for the owner and the regulator) in the content store', async () => {
    const a = await upload('doc-1', original, tokens['bank-a']);
    expect(a.status).toBe(201);
    expect(a.json).toMatchObject({ channel: 'notary', id: 'doc-1', digest: sha256(original), size: original.length, recipients: ['bank-a', 'regulator'] });
    const files = await storedFiles();
    expect(files).toHaveLength(1);
    const stored = await readFile(files[0]);
    expect(sha256(stored)).toBe(a.json.content);
    expect(stored.includes(Buffer.from('ZIZHU-PLAINTEXT-MARKER'))).toBe(false);
    expect((JSON.parse(stored.toString()) as { recipients: { header: { kid: string } }[] }).recipients.map((r) => r.header.kid)).toEqual(['bank-a', 'regulator']);
    expect(await staging()).toEqual([]);
    // The same original again: the same deposit, nothing stored twice.
    const again = await upload('doc-1', original, tokens['bank-a']);
    expect(again.status).toBe(201);
    expect(again.json.content).toBe(a.json.content);
    expect(await storedFiles()).toEqual(files);
  });

  it('refuses an upload whose digest differs from the recorded one (one changed byte), keeping nothing', async () => {
    const before = await storedFiles();
    const changed = Buffer.from(original);
    changed[100] ^= 1;
    const a = await upload('doc-1', changed, tokens['bank-a']);
    expect(a.status).toBe(400);
    expect(errorOf(a)).toEqual({ code: 'BAD_USER_INPUT', reason: 'DIGEST_MISMATCH' });
    expect(await storedFiles()).toEqual(before);
    expect(await staging()).toEqual([]);
  });

  it('refuses an unauthenticated upload with 401 and a code, before reading it', async () => {
    const none = await upload('doc-1', original);
    expect(none.status).toBe(401);
    expect(errorOf(none)).toEqual({ code: 'UNAUTHENTICATED', reason: 'NO_CREDENTIALS' });
    const bad = await upload('doc-1', original, 'not.a.token');
    expect(bad.status).toBe(401);
    expect(errorOf(bad)?.code).toBe('UNAUTHENTICATED');
    expect(await staging()).toEqual([]);
  });

  it("refuses another organisation's deposit (403 NOT_OWNER), a body that is not multipart (415) and an unknown record (404)", async () => {
    const foreign = await upload('doc-1', original, tokens['platform-a']);
    expect([foreign.status, errorOf(foreign)]).toEqual([403, { code: 'FORBIDDEN', reason: 'NOT_OWNER' }]);
    const plain = await answer(
      await fetch(`${t.url}/notary/documents/doc-1/original`, { method: 'POST', headers: { authorization: `Bearer ${tokens['bank-a']}`, 'content-type': 'application/octet-stream' }, body: original }),
    );
    expect([plain.status, errorOf(plain)]).toEqual([415, { code: 'BAD_USER_INPUT', reason: 'UNSUPPORTED_MEDIA_TYPE' }]);
    const json = await answer(
      await fetch(`${t.url}/notary/documents/doc-1/original`, { method: 'POST', headers: { authorization: `Bearer ${tokens['bank-a']}`, 'content-type': 'application/json' }, body: '{}' }),
    );
    expect([json.status, errorOf(json)]).toEqual([415, { code: 'BAD_USER_INPUT', reason: 'NOT_MULTIPART' }]);
    const unknown = await upload('doc-404', original, tokens['bank-a']);
    expect([unknown.status, errorOf(unknown)?.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('refuses a file over UPLOAD_MAX_BYTES with 413 UPLOAD_TOO_LARGE, whether it declares its length or streams chunked, leaving nothing on disk', async () => {
    const before = await storedFiles();
    const big = randomBytes(LIMIT + 1);
    await t.gql('mutation($i: RecordDocumentInput!) { recordDocument(input: $i) { status } }', { i: { id: 'doc-big', digest: sha256(big) } }, { token: tokens['bank-a'] });
    // With a Content-Length: refused before the body is read.
    const declared = await upload('doc-big', big, tokens['bank-a']);
    expect([declared.status, errorOf(declared)]).toEqual([413, { code: 'BAD_USER_INPUT', reason: 'UPLOAD_TOO_LARGE' }]);

    // Chunked, no length: refused while it streams (the limit is met part-way through 1 MiB).
    const { body, contentType } = multipart(Buffer.concat([big, randomBytes(1024 * 1024)]));
    const streamed = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${t.url}/notary/documents/doc-big/original`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens['bank-a']}`, 'content-type': contentType, 'transfer-encoding': 'chunked' },
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      let offset = 0;
      const pump = () => {
        while (offset < body.length) {
          const chunk = body.subarray(offset, offset + 16 * 1024);
          offset += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(streamed.status).toBe(413);
    expect((JSON.parse(streamed.text) as { errors: { extensions: unknown }[] }).errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'UPLOAD_TOO_LARGE' });
    expect(await storedFiles()).toEqual(before);
    expect(await staging()).toEqual([]);
  });

  it('downloads the original for the recipients, decrypted and audited; another organisation gets FORBIDDEN, audited too', async () => {
    const own = await download('doc-1', tokens['bank-a']);
    expect(own.status).toBe(200);
    expect(own.bytes.equals(original)).toBe(true);
    expect(own.headers.get('x-content-sha256')).toBe(sha256(original));
    expect(own.headers.get('content-disposition')).toContain('contract.pdf');
    const regulator = await download('doc-1', tokens.regulator, 'supervision');
    expect(regulator.status).toBe(200);
    expect(regulator.bytes.equals(original)).toBe(true);
    const other = await download('doc-1', tokens['platform-a'], 'curiosity');
    expect([other.status, errorOf(other)]).toEqual([403, { code: 'FORBIDDEN', reason: 'NOT_A_RECIPIENT' }]);

    const trail = async (org: string) =>
      (
        await t.gql<{ auditRecords: { edges: { node: { action: string; actorName: string; target: string; detail: Record<string, unknown> } }[] } }>(
          '{ auditRecords(first: 20) { edges { node { action actorName target detail } } } }',
          {},
          { token: tokens[org] },
        )
      ).body.data!.auditRecords.edges.map((e) => e.node).filter((n) => n.action === 'DECRYPTION');
    expect(await trail('regulator')).toEqual([
      { action: 'DECRYPTION', actorName: 'admin', target: 'notary:notary/doc-1', detail: expect.objectContaining({ field: 'original', purpose: 'supervision', outcome: 'DECRYPTED', module: 'notary' }) },
    ]);
    expect(await trail('platform-a')).toEqual([
      { action: 'DECRYPTION', actorName: 'admin', target: 'notary:notary/doc-1', detail: expect.objectContaining({ purpose: 'curiosity', outcome: 'DENIED', reason: 'NOT_A_RECIPIENT' }) },
    ]);
    expect((await trail('bank-a')).map((r) => r.detail.outcome)).toEqual(['DECRYPTED']);
  });
});
