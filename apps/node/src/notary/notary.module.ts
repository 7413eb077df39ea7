import { NotaryContract } from '@zizhu/contract-sample';
import { NOTARY_MIGRATIONS } from '@zizhu/migrations';
import { defineZizhuModule } from '@zizhu/platform';
import { NotaryDocumentEntity } from './entities/notary-document.entity.js';
import { NotaryOriginalEntity } from './entities/notary-original.entity.js';
import { NotaryOriginalsController } from './notary-originals.controller.js';
import { NotaryOriginalsService } from './notary-originals.service.js';
import { NotaryResolver } from './notary.resolver.js';
import { notaryDocumentsProjection } from './projections/notary-documents.projection.js';

/**
 * The notary sample as a business module (the shape every module has, ARCHITECTURE §5): its
 * contract and development channel, read models kept by a projection in each block's commit,
 * GraphQL, and custody of originals (streamed upload, encrypted in the content store, audited download).
 */
export const NOTARY_MODULE = defineZizhuModule({
  name: 'notary',
  contracts: [NotaryContract],
  channels: [{ name: 'notary', contracts: ['notary'] }],
  entities: [NotaryDocumentEntity, NotaryOriginalEntity],
  migrations: NOTARY_MIGRATIONS,
  projections: () => [notaryDocumentsProjection(['notary'])],
  api: { providers: [NotaryOriginalsService], resolvers: [NotaryResolver], controllers: [NotaryOriginalsController] },
});
