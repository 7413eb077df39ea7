import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { EvidenceCertificate } from '@zizhu/chain';

/**
 * The certificate as a one-page PDF for people: what was recorded, by whom and when, where on the
 * ledger, and a QR code of the public verify URL. The JSON certificate is what machines verify.
 */
export async function evidenceCertificatePdf(cert: EvidenceCertificate, verifyUrl: string): Promise<Buffer> {
  const qr = await QRCode.toBuffer(verifyUrl, { type: 'png', errorCorrectionLevel: 'M', margin: 1, width: 180 });
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `Evidence certificate ${cert.evidence.id}`, Creator: 'Zizhu' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const line = (label: string, value: string) => doc.font('Helvetica-Bold').fontSize(10).text(label).font('Courier').fontSize(9).text(value).moveDown(0.5);
  doc.font('Helvetica-Bold').fontSize(18).text('Evidence certificate').moveDown(0.3);
  doc.font('Helvetica').fontSize(9).text(cert.format).moveDown(1);
  line('Evidence id', cert.evidence.id);
  line('Type', cert.evidence.type);
  line('Issuer', cert.evidence.issuer);
  line(`Document digest (${cert.evidence.digest.alg})`, cert.evidence.digest.value);
  line('Recorded at', new Date(cert.evidence.recordedAt).toISOString());
  line('Transaction', cert.transaction.hash);
  line('Leaf index / tree size', `${cert.inclusion.leafIndex} / ${cert.inclusion.treeSize}`);
  line('Checkpoint', cert.checkpoint.split('\n').slice(0, 3).join('  '));
  line('Verifier keys (hints, never trust)', cert.verifierKeys.join('\n'));
  doc.moveDown(0.5).font('Helvetica').fontSize(9).text('Verify online (scan) or offline: zizhu evidence verify cert.json --trust <verifier key> --file <document>');
  doc.image(qr, { fit: [150, 150] });
  doc.font('Courier').fontSize(8).text(verifyUrl);
  doc.end();
  return done;
}
