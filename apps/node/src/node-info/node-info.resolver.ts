import { readFileSync } from 'node:fs';
import { Query, Resolver } from '@nestjs/graphql';
import { Allow, LedgerService, Permission } from '@zizhu/platform';
import { NodeInfoModel } from './node-info.model.js';

// apps/node/package.json, from src/ (tests) and dist/ (built) alike.
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

@Resolver(() => NodeInfoModel)
export class NodeInfoResolver {
  constructor(private readonly ledger: LedgerService) {}

  @Query(() => NodeInfoModel, { description: 'Public: the consortium, and the key that signs this node’s checkpoints' })
  @Allow(Permission.Public)
  nodeInfo(): NodeInfoModel {
    return { consortiumId: this.ledger.consortiumId, nodeKeyName: this.ledger.nodeName, verifierKey: this.ledger.verifierKey, version: VERSION };
  }
}
