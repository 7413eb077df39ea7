import { Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RequestContext } from '../context/principal.js';
import { forbidden, unauthenticated } from '../graphql/errors.js';
import { ALLOW_METADATA } from './allow.decorator.js';
import { Authenticator } from './authenticator.service.js';
import { HTTP_CONTEXT_KEY, requestContextOf } from './ctx.decorator.js';
import { Permission, permissionsOf } from './permissions.js';

interface HttpRequestLike {
  headers: Record<string, string | string[] | undefined>;
  ip: string;
  id?: string;
  [HTTP_CONTEXT_KEY]?: RequestContext;
}

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * The global guard: an operation without `@Allow` is refused (default deny); a public one always
 * runs; anything else needs a principal holding the permission.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Optional() private readonly authenticator?: Authenticator,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(ALLOW_METADATA, [context.getHandler(), context.getClass()]);
    if (!permission) throw forbidden('this operation declares no permission, so nobody may call it', 'NO_PERMISSION_DECLARED');
    // An HTTP route (an upload, a download) authenticates here, with the same bearer JWT or API key
    // as GraphQL, before its handler reads a byte of the body. A public one too, like a public
    // GraphQL operation: credentials are not needed, but a caller presenting them is counted as itself.
    if (context.getType<string>() === 'http' && this.authenticator && !requestContextOf(context)) {
      const req = context.switchToHttp().getRequest<HttpRequestLike>();
      return this.authenticator
        .contextFor({ authorization: header(req.headers.authorization), apiKey: header(req.headers['x-api-key']), ip: req.ip, requestId: req.id })
        .then((ctx) => {
          req[HTTP_CONTEXT_KEY] = ctx;
          return permission === Permission.Public || this.check(context, permission);
        });
    }
    return permission === Permission.Public || this.check(context, permission);
  }

  private check(context: ExecutionContext, permission: Permission): boolean {
    const ctx = requestContextOf(context);
    if (ctx?.authError) throw ctx.authError;
    if (!ctx?.principal) throw unauthenticated('log in first (Authorization: Bearer <token>, or x-api-key)', 'NO_CREDENTIALS');
    if (!permissionsOf(ctx.principal.roles).has(permission)) throw forbidden(`this operation needs the ${permission} permission`, 'MISSING_PERMISSION');
    return true;
  }
}
