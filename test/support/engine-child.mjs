// A process running the engine (built packages) that submits transactions and prints each
// transaction hash once its promise resolved, i.e. once its block is durable. Used by crash tests.
import { writeSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Chain, PgLedgerStore, signTransaction } from '@zizhu/chain';
import { Keystore } from '@zizhu/crypto';
import { SystemContract, SystemDirectory } from '@zizhu/contract-system';
import { NotaryContract } from '@zizhu/contract-sample';

const { DATABASE_URL, KEYSTORE, PASSPHRASE, GENESIS, COUNT, SIGNER } = process.env;
const genesis = JSON.parse(readFileSync(GENESIS, 'utf8'));
const keystore = await Keystore.load(KEYSTORE, PASSPHRASE);
const chain = await Chain.open({
  store: new PgLedgerStore({ connectionString: DATABASE_URL }),
  directory: new SystemDirectory(),
  contracts: [SystemContract, NotaryContract],
  node: { name: genesis.nodes[0].name, signer: keystore.signer('node') },
  config: { blockMaxTxs: 50, blockMaxWaitMs: 5, verifyWorkers: 1 },
});
const signer = keystore.signer(SIGNER);
writeSync(1, 'READY\n');
const total = Number(COUNT);
let inFlight = 0;
let sent = 0;
await new Promise((done) => {
  const pump = () => {
    while (inFlight < 100 && sent < total) {
      const i = sent++;
      inFlight++;
      const tx = signTransaction(
        { channel: 'notary', contract: 'notary', method: i % 10 === 9 ? 'fail' : 'record', args: i % 10 === 9 ? { code: 'REFUSED' } : { id: `crash-${i}`, digest: randomBytes(32).toString('hex'), title: `document ${i}` }, ts: Date.now() },
        signer,
      );
      chain.submit(tx).then(
        (r) => writeSync(1, `${r.hash} ${r.height}\n`),
        (e) => writeSync(2, `refused ${e.code ?? ''} ${e.message}\n`),
      ).finally(() => {
        inFlight--;
        if (sent >= total && inFlight === 0) done();
        else pump();
      });
    }
  };
  pump();
});
writeSync(1, 'DONE\n');
await chain.close();
