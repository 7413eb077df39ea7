import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden, unauthenticated } from '../graphql/errors.js';
import { ALLOW_METADATA } from './allow.decorator.js';
import { requestContextOf } from './ctx.decorator.js';
import { Permission, permissionsOf } from './permissions.js';

/**
 * The global guard: an operation without `@Allow` is refused (default deny); a public one always
 * runs; anything else needs a principal holding the permission.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(ALLOW_METADATA, [context.getHandler(), context.getClass()]);
    if (!permission) throw forbidden('this operation declares no permission, so nobody may call it', 'NO_PERMISSION_DECLARED');
    if (permission === Permission.Public) return true;
    const ctx = requestContextOf(context);
    if (ctx?.authError) throw ctx.authError;
    if (!ctx?.principal) throw unauthenticated('log in first (Authorization: Bearer <token>, or x-api-key)', 'NO_CREDENTIALS');
    if (!permissionsOf(ctx.principal.roles).has(permission)) throw forbidden(`this operation needs the ${permission} permission`, 'MISSING_PERMISSION');
    return true;
  }
}
