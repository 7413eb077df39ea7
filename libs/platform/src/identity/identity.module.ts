import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeysService } from './api-keys.service.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { SessionsService } from './sessions.service.js';
import { SigningKeysService } from './signing-keys.service.js';
import { UserEntity } from './user.entity.js';
import { UsersService } from './users.service.js';

/** Users, sessions, API keys and their signing keys (needs LedgerModule, AuditModule and the database). */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, RefreshTokenEntity, ApiKeyEntity])],
  providers: [SigningKeysService, UsersService, SessionsService, ApiKeysService],
  exports: [SigningKeysService, UsersService, SessionsService, ApiKeysService],
})
export class IdentityModule {}
