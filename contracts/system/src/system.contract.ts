import { ContractError, fromBase64Key, keyIdOf, type ContractContext, type MethodSpec } from './sdk.js';

interface KeyRecord {
  keyId: string;
  publicKey: string;
  org: string;
  roles: string[];
  status: 'ACTIVE' | 'REVOKED';
  label: string;
  since: number;
  registeredBy?: string;
  revokedAt?: number;
  revokedBy?: string;
  reason?: string;
}

interface ContractRecord {
  name: string;
  version: string;
  codeHash: string;
  status: 'ACTIVE' | 'FROZEN' | 'REVOKED';
  since: number;
}

type Action = 'REGISTER' | 'UPGRADE' | 'FREEZE' | 'UNFREEZE' | 'REVOKE';

interface Proposal {
  id: string;
  action: Action;
  contract: string;
  codeHash: string;
  version: string;
  channels: string[];
  proposedBy: string;
  approvals: string[];
  status: 'OPEN' | 'APPLIED';
  createdAt: number;
  appliedAt?: number;
}

const ROLE = { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,31}$' } as const;
const HASH = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const NAME = { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' } as const;

/**
 * The system contract: consortium membership (from genesis), user keys registered and revoked by
 * their organisation's admins, and the lifecycle of every other contract by code hash, each change
 * applied once a majority of member organisations approves it.
 */
export class SystemContract {
  static readonly contractName = 'system';
  static readonly version: string = '1.0.0';
  static readonly methods: Record<string, MethodSpec> = {
    registerKey: {
      roles: ['admin'],
      args: {
        type: 'object',
        additionalProperties: false,
        required: ['publicKey', 'roles'],
        properties: {
          publicKey: { type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$' },
          roles: { type: 'array', items: ROLE, minItems: 1, maxItems: 16, uniqueItems: true },
          label: { type: 'string', maxLength: 128 },
          certificate: { type: 'string', maxLength: 16384 },
        },
      },
    },
    revokeKey: {
      roles: ['admin'],
      args: {
        type: 'object',
        additionalProperties: false,
        required: ['keyId'],
        properties: { keyId: HASH, reason: { type: 'string', maxLength: 512 } },
      },
    },
    proposeContract: {
      roles: ['admin'],
      args: {
        type: 'object',
        additionalProperties: false,
        required: ['action', 'contract', 'codeHash'],
        properties: {
          action: { enum: ['REGISTER', 'UPGRADE', 'FREEZE', 'UNFREEZE', 'REVOKE'] },
          contract: NAME,
          codeHash: HASH,
          version: { type: 'string', maxLength: 32 },
          channels: { type: 'array', items: NAME, maxItems: 32, uniqueItems: true },
        },
      },
    },
    approveProposal: {
      roles: ['admin'],
      args: { type: 'object', additionalProperties: false, required: ['proposal'], properties: { proposal: HASH } },
    },
  };

  async registerKey(ctx: ContractContext, args: { publicKey: string; roles: string[]; label?: string; certificate?: string }) {
    const keyId = keyIdOf(fromBase64Key(args.publicKey));
    if (await ctx.state.get(`key/${keyId}`)) throw new ContractError('KEY_EXISTS', `key ${keyId} is already registered`);
    const record: KeyRecord = {
      keyId,
      publicKey: args.publicKey,
      org: ctx.sender.org,
      roles: args.roles,
      status: 'ACTIVE',
      label: args.label ?? '',
      since: ctx.block.height,
      registeredBy: ctx.sender.keyId,
    };
    ctx.state.put(`key/${keyId}`, { ...record, ...(args.certificate ? { certificate: args.certificate } : {}) });
    ctx.emit('KeyRegistered', { keyId, org: ctx.sender.org, roles: args.roles });
    return { keyId };
  }

  async revokeKey(ctx: ContractContext, args: { keyId: string; reason?: string }) {
    const key = await ctx.state.get<KeyRecord & Record<string, never>>(`key/${args.keyId}`);
    if (!key) throw new ContractError('KEY_NOT_FOUND', `key ${args.keyId} is not registered`);
    if (key.org !== ctx.sender.org) throw new ContractError('NOT_YOUR_KEY', 'an admin may revoke only keys of their own organisation');
    if (key.status === 'REVOKED') throw new ContractError('ALREADY_REVOKED', `key ${args.keyId} is already revoked`);
    ctx.state.put(`key/${args.keyId}`, { ...key, status: 'REVOKED', revokedAt: ctx.block.time, revokedBy: ctx.sender.keyId, reason: args.reason ?? '' });
    ctx.emit('KeyRevoked', { keyId: args.keyId, org: key.org });
    return { keyId: args.keyId };
  }

  async proposeContract(ctx: ContractContext, args: { action: Action; contract: string; codeHash: string; version?: string; channels?: string[] }) {
    const current = await ctx.state.get<ContractRecord & Record<string, never>>(`contract/${args.contract}`);
    if (args.contract === 'system' && args.action !== 'UPGRADE') throw new ContractError('SYSTEM_CONTRACT', 'the system contract can only be upgraded');
    if (args.action === 'REGISTER' && current && current.status !== 'REVOKED') throw new ContractError('CONTRACT_EXISTS', `contract ${args.contract} is already registered`);
    if (args.action !== 'REGISTER') {
      if (!current) throw new ContractError('CONTRACT_NOT_FOUND', `contract ${args.contract} is not registered`);
      if (args.action !== 'UPGRADE' && current.codeHash !== args.codeHash) {
        throw new ContractError('CODE_HASH_MISMATCH', `contract ${args.contract} runs code ${current.codeHash}, not ${args.codeHash}`);
      }
      if (current.status === 'REVOKED') throw new ContractError('CONTRACT_REVOKED', `contract ${args.contract} is revoked; register it anew`);
    }
    for (const ch of args.channels ?? []) {
      if (!(await ctx.state.get(`channel/${ch}`))) throw new ContractError('CHANNEL_NOT_FOUND', `channel ${ch} does not exist`);
    }
    const proposal: Proposal = {
      id: ctx.tx.hash,
      action: args.action,
      contract: args.contract,
      codeHash: args.codeHash,
      version: args.version ?? current?.version ?? '',
      channels: args.channels ?? [],
      proposedBy: ctx.sender.org,
      approvals: [],
      status: 'OPEN',
      createdAt: ctx.block.time,
    };
    ctx.emit('ContractProposed', { proposal: proposal.id, action: args.action, contract: args.contract, codeHash: args.codeHash });
    // The proposing organisation approves its own proposal.
    return this.approve(ctx, proposal);
  }

  async approveProposal(ctx: ContractContext, args: { proposal: string }) {
    const proposal = await ctx.state.get<Proposal & Record<string, never>>(`proposal/${args.proposal}`);
    if (!proposal) throw new ContractError('PROPOSAL_NOT_FOUND', `proposal ${args.proposal} does not exist`);
    if (proposal.status !== 'OPEN') throw new ContractError('PROPOSAL_CLOSED', `proposal ${args.proposal} is already applied`);
    if (proposal.approvals.includes(ctx.sender.org)) throw new ContractError('ALREADY_APPROVED', `${ctx.sender.org} already approved this proposal`);
    return this.approve(ctx, proposal);
  }

  private async approve(ctx: ContractContext, proposal: Proposal) {
    const orgs = await ctx.state.range<{ id: string; status: string }>('org/', { limit: 1000 });
    const members = orgs.filter((o) => o.value.status === 'ACTIVE').length;
    const next: Proposal = { ...proposal, approvals: [...proposal.approvals, ctx.sender.org].sort() };
    ctx.emit('ProposalApproved', { proposal: proposal.id, org: ctx.sender.org, approvals: next.approvals.length, members });
    if (next.approvals.length * 2 > members) {
      await this.applyProposal(ctx, next);
      next.status = 'APPLIED';
      next.appliedAt = ctx.block.time;
    }
    ctx.state.put(`proposal/${proposal.id}`, next as never);
    return { proposal: proposal.id, status: next.status, approvals: next.approvals.length, members };
  }

  private async applyProposal(ctx: ContractContext, p: Proposal) {
    const key = `contract/${p.contract}`;
    const current = await ctx.state.get<ContractRecord & Record<string, never>>(key);
    const status: Record<Action, ContractRecord['status']> = { REGISTER: 'ACTIVE', UPGRADE: 'ACTIVE', FREEZE: 'FROZEN', UNFREEZE: 'ACTIVE', REVOKE: 'REVOKED' };
    if (p.action !== 'REGISTER' && p.action !== 'UPGRADE' && current?.codeHash !== p.codeHash) {
      throw new ContractError('CODE_HASH_MISMATCH', `contract ${p.contract} changed since the proposal`);
    }
    const record: ContractRecord = { name: p.contract, version: p.version, codeHash: p.codeHash, status: status[p.action], since: ctx.block.height };
    ctx.state.put(key, record as never);
    for (const ch of p.channels) {
      const channel = await ctx.state.get<{ name: string; members: string[]; contracts: string[] }>(`channel/${ch}`);
      if (channel && !channel.contracts.includes(p.contract)) ctx.state.put(`channel/${ch}`, { ...channel, contracts: [...channel.contracts, p.contract] });
    }
    ctx.emit('ContractLifecycle', { contract: p.contract, action: p.action, codeHash: p.codeHash, status: record.status });
  }
}
