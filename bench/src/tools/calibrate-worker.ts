import { parentPort, workerData } from 'node:worker_threads';
import { ed25519Sign, ed25519Verify, ed25519VerifyNode, generateEd25519 } from '@zizhu/crypto';

/**
 * Times `count` Ed25519 verifications of a 600-byte message with the engine's own backend and
 * posts the mean in µs (see cpuCalibration in ../support.ts); with `nodeCrypto`, also times
 * `node:crypto`'s verify of a 200-byte message, the yardstick issue 2 states its targets against.
 */
const { count, nodeCrypto } = workerData as { count: number; nodeCrypto?: boolean };
const { privateKey, publicKey } = generateEd25519();

function time(verifyOnce: () => boolean): { us: number; ok: boolean } {
  for (let i = 0; i < 200; i++) verifyOnce();
  const t0 = performance.now();
  let ok = 0;
  for (let i = 0; i < count; i++) if (verifyOnce()) ok++;
  return { us: ((performance.now() - t0) * 1000) / count, ok: ok === count };
}

const message = Buffer.alloc(600, 7);
const signature = ed25519Sign(privateKey, message);
const engine = time(() => ed25519Verify(publicKey, message, signature));
let nodeUs: number | undefined;
let nodeOk = true;
if (nodeCrypto) {
  const short = Buffer.alloc(200, 9);
  const shortSignature = ed25519Sign(privateKey, short);
  const measured = time(() => ed25519VerifyNode(publicKey, short, shortSignature));
  nodeUs = measured.us;
  nodeOk = measured.ok;
}
parentPort!.postMessage({ us: engine.us, nodeUs, ok: engine.ok && nodeOk });
