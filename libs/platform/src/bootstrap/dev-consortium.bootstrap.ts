import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ZIZHU_CONFIG } from '../config/config.js';
import type { ZizhuConfig } from '../config/config.schema.js';
import { SigningKeysService } from '../identity/signing-keys.service.js';
import { UsersService } from '../identity/users.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { NODE_HOME } from '../ledger/ledger.module.js';
import { writeFileAtomic, type NodeHome } from '../ledger/node-home.js';

/** Where first-start banners go (stdout by default; tests silence it). */
export const NODE_OUTPUT = Symbol('NODE_OUTPUT');
export type NodeOutput = (text: string) => void;

export interface DevCredential {
  organization: string;
  username: string;
  password: string;
  roles: string[];
}

export interface DevCredentialsFile {
  consortium: string;
  users: DevCredential[];
}

/**
 * First start of a development node: gives every organisation this node holds the keys of an
 * `admin` user with a random password, printed once and kept in ZIZHU_HOME/dev-credentials.json
 * (mode 0600). Idempotent: organisations that have an admin already are left alone. (The
 * development consortium itself, keystore and genesis, is created by LedgerModule's NodeHome.)
 */
@Injectable()
export class DevConsortiumBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    @Inject(ZIZHU_CONFIG) private readonly config: ZizhuConfig,
    @Inject(NODE_HOME) private readonly home: NodeHome,
    @Inject(NODE_OUTPUT) private readonly output: NodeOutput,
    private readonly ledger: LedgerService,
    private readonly users: UsersService,
    private readonly keys: SigningKeysService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Production creates no users with printed passwords: its operators provision them.
    if (this.config.NODE_ENV === 'production') return;
    const orgs = this.home.genesis.orgs.map((o) => o.id).filter((org) => this.keys.hostsOrganization(org));
    const missing: string[] = [];
    for (const org of orgs) if (!(await this.users.findByLogin(org, 'admin'))) missing.push(org);
    if (missing.length === 0) return;
    // In parallel: the registrations share one system block.
    const created = await Promise.all(
      missing.map(async (organization): Promise<DevCredential> => {
        const password = randomBytes(18).toString('base64url');
        await this.users.create({ org: organization, username: 'admin', password, roles: ['admin'] });
        return { organization, username: 'admin', password, roles: ['admin'] };
      }),
    );
    const file = await this.saveCredentials(created);
    this.logger.log(`created ${created.length} development admin users; credentials in ${this.home.files.devCredentials}`);
    this.output(
      [
        '',
        `Zizhu development consortium "${this.ledger.consortiumId}": admin users created (shown once; kept in ${this.home.files.devCredentials})`,
        ...created.map((c) => `  ${c.organization.padEnd(14)} ${c.username}  ${c.password}`),
        `  (${file.users.length} credentials in the file)`,
        '',
      ].join('\n'),
    );
  }

  private async saveCredentials(created: DevCredential[]): Promise<DevCredentialsFile> {
    let file: DevCredentialsFile = { consortium: this.ledger.consortiumId, users: [] };
    try {
      file = JSON.parse(await readFile(this.home.files.devCredentials, 'utf8')) as DevCredentialsFile;
    } catch {
      /* first start */
    }
    const key = (c: DevCredential) => `${c.organization}/${c.username}`;
    const fresh = new Set(created.map(key));
    file.users = [...file.users.filter((c) => !fresh.has(key(c))), ...created];
    await writeFileAtomic(this.home.files.devCredentials, `${JSON.stringify(file, null, 2)}\n`, 0o600);
    return file;
  }
}
