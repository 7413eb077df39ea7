import { ContractError, type ContractContext, type JsonValue, type MethodSpec } from '@zizhu/chain';

interface NotaryRecord {
  digest: string;
  owner: string;
  title: string;
  reference: string;
  amount: string;
  recordedAt: number;
  version: number;
}

const ID = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' } as const;
const DIGEST = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;

/**
 * A small notary: records document digests with a little metadata. The sample contract that the
 * engine's tests and benchmarks run (its `record` call carries ~200 bytes of arguments).
 */
export class NotaryContract {
  static readonly contractName = 'notary';
  static readonly version: string = '1.1.0';
  static readonly methods: Record<string, MethodSpec> = {
    record: {
      args: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'digest'],
        properties: {
          id: ID,
          digest: DIGEST,
          title: { type: 'string', maxLength: 256 },
          reference: { type: 'string', maxLength: 128 },
          amount: { type: 'string', pattern: '^(0|[1-9][0-9]{0,30})$' },
        },
      },
    },
    amend: {
      args: { type: 'object', additionalProperties: false, required: ['id', 'digest'], properties: { id: ID, digest: DIGEST } },
    },
    remove: { args: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: ID } } },
    count: { args: { type: 'object', additionalProperties: false, required: ['counter'], properties: { counter: ID } } },
    list: {
      args: { type: 'object', additionalProperties: false, properties: { after: ID, limit: { type: 'integer', minimum: 1, maximum: 100 } } },
    },
    fail: {
      args: { type: 'object', additionalProperties: false, required: ['code'], properties: { code: { type: 'string', pattern: '^[A-Z_]{1,32}$' }, message: { type: 'string', maxLength: 256 } } },
    },
    crash: { args: { type: 'object', additionalProperties: false, properties: {} } },
  };

  /**
   * The keys a call reads (ContractClass.reads): a block of records fetches its missing documents
   * in one query without running each call a first time to learn them.
   */
  static reads(method: string, args: { readonly [key: string]: JsonValue }): readonly string[] | undefined {
    switch (method) {
      case 'record':
      case 'amend':
      case 'remove':
        return [`doc/${args.id as string}`];
      case 'count':
        return [`counter/${args.counter as string}`];
      default:
        return undefined;
    }
  }

  async record(ctx: ContractContext, args: { id: string; digest: string; title?: string; reference?: string; amount?: string }) {
    const key = `doc/${args.id}`;
    if (await ctx.state.get(key)) throw new ContractError('ALREADY_RECORDED', `document ${args.id} is already recorded`);
    const record: NotaryRecord = {
      digest: args.digest,
      owner: ctx.sender.org,
      title: args.title ?? '',
      reference: args.reference ?? '',
      amount: args.amount ?? '0',
      recordedAt: ctx.block.time,
      version: 1,
    };
    ctx.state.put(key, { ...record });
    ctx.emit('Recorded', { id: args.id, digest: args.digest, owner: ctx.sender.org });
    return { id: args.id, recordedAt: ctx.block.time };
  }

  async amend(ctx: ContractContext, args: { id: string; digest: string }) {
    const record = await this.owned(ctx, args.id);
    ctx.state.put(`doc/${args.id}`, { ...record, digest: args.digest, version: record.version + 1 });
    ctx.emit('Amended', { id: args.id, digest: args.digest, version: record.version + 1 });
    return { version: record.version + 1 };
  }

  async remove(ctx: ContractContext, args: { id: string }) {
    await this.owned(ctx, args.id);
    ctx.state.del(`doc/${args.id}`);
    ctx.emit('Removed', { id: args.id });
  }

  async count(ctx: ContractContext, args: { counter: string }) {
    const key = `counter/${args.counter}`;
    const n = ((await ctx.state.get<number>(key)) ?? 0) + 1;
    ctx.state.put(key, n);
    return n;
  }

  async list(ctx: ContractContext, args: { after?: string; limit?: number }) {
    const entries = await ctx.state.range<{ digest: string }>('doc/', { after: args.after ? `doc/${args.after}` : undefined, limit: args.limit ?? 10 });
    return entries.map((e) => ({ id: e.key.slice(4), digest: e.value.digest }));
  }

  fail(_ctx: ContractContext, args: { code: string; message?: string }): never {
    throw new ContractError(args.code, args.message ?? 'refused by request');
  }

  crash(ctx: ContractContext): unknown {
    ctx.state.put('crash/attempt', 1);
    return (undefined as unknown as { boom: { x: number } }).boom.x;
  }

  private async owned(ctx: ContractContext, id: string): Promise<NotaryRecord> {
    const record = await ctx.state.get<NotaryRecord & Record<string, never>>(`doc/${id}`);
    if (!record) throw new ContractError('NOT_FOUND', `document ${id} is not recorded`);
    if (record.owner !== ctx.sender.org) throw new ContractError('NOT_OWNER', `document ${id} belongs to ${record.owner}`);
    return record;
  }
}
