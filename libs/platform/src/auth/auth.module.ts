import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { IdentityModule } from '../identity/identity.module.js';
import { AuthGuard } from './auth.guard.js';
import { Authenticator } from './authenticator.service.js';

/** Authentication (Authenticator) and the global default-deny guard. */
@Module({
  imports: [IdentityModule],
  providers: [Authenticator, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [Authenticator, IdentityModule],
})
export class AuthModule {}
