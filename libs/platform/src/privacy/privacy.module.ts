import { Global, Module } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { NODE_HOME } from '../ledger/ledger.module.js';
import { LedgerService } from '../ledger/ledger.service.js';
import type { NodeHome } from '../ledger/node-home.js';
import { FieldEncryptionService, ledgerEncryptionKeys } from './field-encryption.service.js';

/** FieldEncryptionService for every module: recipients' keys from the system channel, private keys from the node keystore. */
@Global()
@Module({
  providers: [
    {
      provide: FieldEncryptionService,
      inject: [LedgerService, NODE_HOME, AuditService],
      useFactory: (ledger: LedgerService, home: NodeHome, audit: AuditService) => new FieldEncryptionService(ledgerEncryptionKeys(ledger), home.keystore, audit),
    },
  ],
  exports: [FieldEncryptionService],
})
export class PrivacyModule {}
