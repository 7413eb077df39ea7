import { parentPort, workerData } from 'node:worker_threads';
import { ed25519Sign, ed25519Verify, generateEd25519 } from '@zizhu/crypto';

/**
 * Times `count` Ed25519 verifications of a 600-byte message with the engine's own backend and
 * posts the mean in µs (see cpuCalibration in ../support.ts).
 */
const { count } = workerData as { count: number };
const { privateKey, publicKey } = generateEd25519();
const message = Buffer.alloc(600, 7);
const signature = ed25519Sign(privateKey, message);
for (let i = 0; i < 200; i++) ed25519Verify(publicKey, message, signature);
const t0 = performance.now();
let ok = 0;
for (let i = 0; i < count; i++) if (ed25519Verify(publicKey, message, signature)) ok++;
const us = ((performance.now() - t0) * 1000) / count;
parentPort!.postMessage({ us, ok: ok === count });
