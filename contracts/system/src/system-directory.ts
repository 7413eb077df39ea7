import type { ConsortiumDirectory, ContractStatus, JsonValue, Sender } from '@zizhu/chain';

interface OrgRecord {
  id: string;
  kind: string;
  status: string;
}
interface KeyRecord {
  keyId: string;
  publicKey: string;
  org: string;
  roles: string[];
  status: string;
}
interface ChannelRecord {
  members: string[];
  contracts: string[];
}
interface ContractRecord {
  codeHash: string;
  status: ContractStatus;
}
interface NodeRecord {
  name: string;
  publicKey: string;
}

/** The consortium directory kept from the system channel's state (the layout the system contract writes). */
export class SystemDirectory implements ConsortiumDirectory {
  private consortium = '';
  private applied = -1;
  private readonly orgs = new Map<string, OrgRecord>();
  private readonly keys = new Map<string, KeyRecord>();
  private readonly channels = new Map<string, ChannelRecord>();
  private readonly contracts = new Map<string, ContractRecord>();
  private readonly nodes = new Map<string, NodeRecord>();

  get consortiumId(): string {
    return this.consortium;
  }
  get height(): number {
    return this.applied;
  }

  signer(keyId: string): (Sender & { publicKey: string }) | undefined {
    const key = this.keys.get(keyId);
    if (!key || key.status !== 'ACTIVE') return undefined;
    const org = this.orgs.get(key.org);
    if (!org || org.status !== 'ACTIVE') return undefined;
    return { keyId, org: org.id, orgKind: org.kind, roles: key.roles, publicKey: key.publicKey };
  }

  channel(name: string): { members: readonly string[]; contracts: readonly string[] } | undefined {
    return this.channels.get(name);
  }

  contract(name: string, codeHash: string): ContractStatus | undefined {
    const c = this.contracts.get(name);
    return c && c.codeHash === codeHash ? c.status : undefined;
  }

  proposer(keyId: string): { name: string; publicKey: string } | undefined {
    return this.nodes.get(keyId);
  }

  organizations(): OrgRecord[] {
    return [...this.orgs.values()];
  }

  apply(height: number, writes: [string, JsonValue | null][]): void {
    for (const [key, value] of writes) {
      const slash = key.indexOf('/');
      const kind = slash < 0 ? key : key.slice(0, slash);
      const id = key.slice(slash + 1);
      const record = value as never;
      switch (kind) {
        case 'consortium':
          if (value) this.consortium = (value as { id: string }).id;
          break;
        case 'org':
          setOrDelete(this.orgs, id, record);
          break;
        case 'key':
          setOrDelete(this.keys, id, record);
          break;
        case 'channel':
          setOrDelete(this.channels, id, record);
          break;
        case 'contract':
          setOrDelete(this.contracts, id, record);
          break;
        case 'node':
          setOrDelete(this.nodes, id, record);
          break;
        default:
          break;
      }
    }
    this.applied = height;
  }
}

function setOrDelete<T>(map: Map<string, T>, id: string, value: T | null): void {
  if (value === null) map.delete(id);
  else map.set(id, value);
}
