import 'reflect-metadata';
import { describe, it, expect, afterAll } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotaryContract } from '@zizhu/contract-sample';
import type { Projection } from '@zizhu/chain';
import { loadConfig } from '../config/config.js';
import { openNodeHome } from '../ledger/node-home.js';
import type { AnyJobHandler } from '../queue/job-handler.js';
import { QueueName } from '../queue/queue.types.js';
import { composeZizhuModules, defineZizhuModule, ModuleDefinitionError, type ModuleJobDeps } from './zizhu-module.js';

class CreateThings1795000000002 {
  name = 'CreateThings1795000000002';
  async up() {}
  async down() {}
}
class CreateOthers1795000000001 {
  name = 'CreateOthers1795000000001';
  async up() {}
  async down() {}
}
class ThingEntity {}
class OtherEntity {}
class ThingsResolver {}
const projection: Projection = async () => {};
const handler = { queue: QueueName.CLEANUP, handle: async () => undefined } as AnyJobHandler;

const sample = defineZizhuModule({
  name: 'sample',
  contracts: [NotaryContract],
  channels: [{ name: 'sample', contracts: ['notary'], memberKinds: ['BANK', 'REGULATOR'] }],
  entities: [ThingEntity],
  migrations: [CreateThings1795000000002],
  projections: () => [projection],
  jobs: () => [handler],
  api: { resolvers: [ThingsResolver] },
});
const other = defineZizhuModule({ name: 'other', entities: [OtherEntity], migrations: [CreateOthers1795000000001] });

describe('business modules: defineZizhuModule and composeZizhuModules', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("puts the modules' pieces together: contracts, channels, entities, migrations by timestamp, resolvers, projections, jobs, one Nest module per API", () => {
    const node = composeZizhuModules([sample, other]);
    expect(node.contracts).toEqual([NotaryContract]);
    expect(node.devChannels).toEqual([{ name: 'sample', contracts: ['notary'], memberKinds: ['BANK', 'REGULATOR'] }]);
    expect(node.entities).toEqual([ThingEntity, OtherEntity]);
    expect(node.migrations).toEqual([CreateOthers1795000000001, CreateThings1795000000002]);
    expect(node.resolvers).toEqual([ThingsResolver]);
    expect(node.projections(loadConfig({}))).toEqual([projection]);
    expect(node.jobHandlers({} as ModuleJobDeps)).toEqual([handler]);
    const api = node.apiModules();
    expect(api.map((m) => m.module.name)).toEqual(['SampleApiModule']);
    expect(api[0].providers).toEqual([ThingsResolver]);
  });

  it('refuses a module, contract, channel, entity or migration declared twice, and a channel running an unregistered contract', () => {
    const refuse = (f: () => unknown, message: RegExp) => expect(f).toThrow(message);
    refuse(() => composeZizhuModules([sample, sample]), /module sample is declared by more than one/);
    refuse(() => composeZizhuModules([sample, defineZizhuModule({ name: 'copy', contracts: [NotaryContract] })]), /contract notary/);
    refuse(() => composeZizhuModules([sample, defineZizhuModule({ name: 'copy', channels: [{ name: 'sample', contracts: ['notary'] }] })]), /channel sample/);
    refuse(() => composeZizhuModules([defineZizhuModule({ name: 'sys', channels: [{ name: 'system', contracts: ['x'] }] })]), /channel system/);
    refuse(() => composeZizhuModules([sample, defineZizhuModule({ name: 'copy', entities: [ThingEntity] })]), /entity ThingEntity/);
    refuse(() => composeZizhuModules([sample, defineZizhuModule({ name: 'copy', migrations: [CreateThings1795000000002] })]), /migration CreateThings1795000000002/);
    refuse(() => composeZizhuModules([defineZizhuModule({ name: 'lost', channels: [{ name: 'lost', contracts: ['nowhere'] }] })]), /contract nowhere, which no module registers/);
  });

  it('refuses bad names when a module is defined', () => {
    expect(() => defineZizhuModule({ name: 'Evidence' })).toThrow(ModuleDefinitionError);
    expect(() => defineZizhuModule({ name: 'x', channels: [{ name: 'Bad Name', contracts: ['notary'] }] })).toThrow(/channel name/);
    expect(() => defineZizhuModule({ name: 'x', channels: [{ name: 'empty', contracts: [] }] })).toThrow(/runs no contract/);
    class NoTimestamp {}
    expect(() => defineZizhuModule({ name: 'x', migrations: [NoTimestamp as never] })).toThrow(/13-digit timestamp/);
  });

  it('opens a development channel to the member kinds a module declares (every organisation when it declares none)', async () => {
    const home = await mkdtemp(join(tmpdir(), 'zizhu-module-'));
    dirs.push(home);
    const node = composeZizhuModules([sample, defineZizhuModule({ name: 'open', contracts: [], channels: [{ name: 'open', contracts: ['notary'] }] })]);
    const { genesis } = await openNodeHome(loadConfig({ ZIZHU_HOME: home, ZIZHU_KEYSTORE_SCRYPT_N: '1024', NODE_ENV: 'test' }), node);
    expect(genesis.channels.find((c) => c.name === 'sample')?.members).toEqual(['bank-a', 'regulator']);
    expect(genesis.channels.find((c) => c.name === 'open')?.members.length).toBe(14);
    expect(genesis.contracts.map((c) => c.name)).toEqual(['system', 'notary']);
  });
});
