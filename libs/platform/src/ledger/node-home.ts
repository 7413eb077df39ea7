import { randomBytes } from 'node:crypto';
import { access, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Keystore, KeystoreError } from '@zizhu/crypto';
import type { ContractClass } from '@zizhu/chain';
import type { GenesisDocument, OrgKind } from '@zizhu/contract-system';
import { createDevConsortium, DEV_ORGS } from '@zizhu/consortium';
import { ConfigError } from '../config/config.js';
import type { ZizhuConfig } from '../config/config.schema.js';

/** Where a node keeps its files under ZIZHU_HOME. */
export interface NodeHomeFiles {
  home: string;
  keystore: string;
  genesis: string;
  devPassphrase: string;
  devCredentials: string;
}

export function nodeHomeFiles(home: string): NodeHomeFiles {
  const dir = resolve(home);
  return {
    home: dir,
    keystore: join(dir, 'keystore.json'),
    genesis: join(dir, 'genesis.json'),
    devPassphrase: join(dir, 'dev-passphrase'),
    devCredentials: join(dir, 'dev-credentials.json'),
  };
}

const exists = (path: string) => access(path).then(() => true, () => false);

/** Writes a file atomically (temp file, fsync, rename), creating it with `mode`. */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.chmod(mode);
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * The keystore passphrase: ZIZHU_KEYSTORE_PASSPHRASE, or (outside production) a random one
 * generated once into ZIZHU_HOME/dev-passphrase with mode 0600.
 */
export async function resolvePassphrase(config: ZizhuConfig, files: NodeHomeFiles): Promise<string> {
  if (config.ZIZHU_KEYSTORE_PASSPHRASE) return config.ZIZHU_KEYSTORE_PASSPHRASE;
  if (config.NODE_ENV === 'production') throw new ConfigError('ZIZHU_KEYSTORE_PASSPHRASE', 'is required in production (the keystore is encrypted under it)');
  await mkdir(files.home, { recursive: true, mode: 0o700 });
  try {
    const fh = await open(files.devPassphrase, 'wx', 0o600);
    const passphrase = randomBytes(24).toString('base64url');
    try {
      await fh.writeFile(`${passphrase}\n`, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    return passphrase;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return (await readFile(files.devPassphrase, 'utf8')).trim();
  }
}

export interface NodeHome {
  files: NodeHomeFiles;
  keystore: Keystore;
  genesis: GenesisDocument;
  /** True when this start created the development consortium. */
  created: boolean;
}

/** A channel the development consortium opens for every organisation, running the given contracts. */
export interface DevChannelSpec {
  name: string;
  contracts: string[];
  /** Member organisations by kind; absent: every organisation. */
  memberKinds?: OrgKind[];
}

/**
 * Opens the node's keystore and genesis under ZIZHU_HOME; on a first start outside production,
 * creates a development consortium (DEV_ORGS, with this node's organisation first) and saves both.
 */
export async function openNodeHome(config: ZizhuConfig, registration: { contracts: ContractClass[]; devChannels: DevChannelSpec[] }): Promise<NodeHome> {
  const files = nodeHomeFiles(config.ZIZHU_HOME);
  const passphrase = await resolvePassphrase(config, files);
  const [hasKeystore, hasGenesis] = await Promise.all([exists(files.keystore), exists(files.genesis)]);
  if (hasKeystore && hasGenesis) {
    let keystore: Keystore;
    try {
      keystore = await Keystore.load(files.keystore, passphrase);
    } catch (e) {
      if (e instanceof KeystoreError && e.code === 'WRONG_PASSPHRASE') {
        throw new ConfigError('ZIZHU_KEYSTORE_PASSPHRASE', `does not open ${files.keystore}`);
      }
      throw e;
    }
    const genesis = JSON.parse(await readFile(files.genesis, 'utf8')) as GenesisDocument;
    if (!keystore.has('node')) throw new ConfigError('ZIZHU_HOME', `${files.keystore} has no \`node\` key`);
    return { files, keystore, genesis, created: false };
  }
  if (hasKeystore !== hasGenesis) {
    throw new ConfigError('ZIZHU_HOME', `has ${hasKeystore ? 'keystore.json but no genesis.json' : 'genesis.json but no keystore.json'} (${files.home}); restore the missing file or start from an empty directory`);
  }
  if (config.NODE_ENV === 'production') {
    throw new ConfigError('ZIZHU_HOME', `has no keystore.json and genesis.json (${files.home}); production never creates a development consortium: create them with \`zizhu genesis create\``);
  }
  const nodeOrg = DEV_ORGS.find((o) => o.id === config.NODE_ORG);
  if (!nodeOrg) throw new ConfigError('NODE_ORG', `is not one of the development organisations (${DEV_ORGS.map((o) => o.id).join(', ')})`);
  const orgs = [nodeOrg, ...DEV_ORGS.filter((o) => o !== nodeOrg)];
  const { genesis, keystore } = await createDevConsortium({
    consortium: config.CONSORTIUM_ID,
    orgs,
    channels: registration.devChannels.map((c) => ({ name: c.name, members: orgs.filter((o) => !c.memberKinds || c.memberKinds.includes(o.kind)).map((o) => o.id), contracts: c.contracts })),
    contracts: registration.contracts,
    passphrase,
    scryptN: config.ZIZHU_KEYSTORE_SCRYPT_N,
  });
  await mkdir(files.home, { recursive: true, mode: 0o700 });
  // Keystore first: a genesis without its keys is useless, and the check above names the gap.
  await keystore.save(files.keystore);
  await writeFileAtomic(files.genesis, `${JSON.stringify(genesis, null, 2)}\n`, 0o644);
  return { files, keystore, genesis, created: true };
}
