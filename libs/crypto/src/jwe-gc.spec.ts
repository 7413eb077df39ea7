import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';

/**
 * Node 20 deadlocks the thread when a garbage collection finalises a key generation job while
 * `export({ format: 'jwk' })` of that job's key holds the key's mutex (seen within 2,000 to 76,000
 * ephemeral keys with small young-generation spaces). Sealing must not go that way: thousands of
 * seals in a child process (the built package: a deadlock in this process would stop the test
 * runner itself) with frequent collections finish.
 */
describe('JWE sealing under garbage collection', () => {
  it('seals 7,000 times for three recipients without deadlocking', async () => {
    const script = `import { encryptForRecipientsSync, generateX25519 } from '@zizhu/crypto';
const recipients = ['a', 'b', 'c'].map((kid) => ({ kid, publicKey: generateX25519().publicKey }));
let kept = [];
for (let i = 0; i < 7000; i++) {
  kept.push(encryptForRecipientsSync({ n: i, pad: 'x'.repeat(200) }, recipients));
  if (kept.length > 2000) kept = [];
}
process.stdout.write('sealed 7000');`;
    const child = spawn(process.execPath, ['--max-semi-space-size=1', '--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    expect({ code, out }).toEqual({ code: 0, out: 'sealed 7000' });
  }, 90_000);
});
