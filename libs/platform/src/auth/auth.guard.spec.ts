import 'reflect-metadata';
import { describe, it, expect } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RequestContext } from '../context/principal.js';
import { AppError, unauthenticated } from '../graphql/errors.js';
import { Allow } from './allow.decorator.js';
import { AuthGuard } from './auth.guard.js';
import { Permission } from './permissions.js';

class Operations {
  undeclared() {}
  @Allow(Permission.Public)
  open() {}
  @Allow(Permission.ManageUsers)
  manageUsers() {}
}

function graphqlContext(handler: () => void, zizhu: RequestContext): ExecutionContext {
  const args = [{}, {}, { zizhu }, {}];
  return {
    getHandler: () => handler,
    getClass: () => Operations,
    getType: () => 'graphql',
    getArgs: () => args,
    getArgByIndex: (i: number) => args[i],
    switchToHttp: () => ({ getRequest: () => ({}) }),
  } as unknown as ExecutionContext;
}

const code = (f: () => unknown) => {
  try {
    f();
    return 'ALLOWED';
  } catch (e) {
    return e instanceof AppError ? `${e.code}${e.reason ? `/${e.reason}` : ''}` : `THREW ${(e as Error).message}`;
  }
};

describe('AuthGuard (default deny)', () => {
  const guard = new AuthGuard(new Reflector());
  const p = Operations.prototype;
  const admin: RequestContext = { ip: '::1', requestId: 'r', principal: { kind: 'user', id: 'u', org: 'bank-a', roles: ['admin'], name: 'a', signingKey: 'user/u' } };
  const viewer: RequestContext = { ...admin, principal: { ...admin.principal!, roles: ['viewer'] } };
  const anonymous: RequestContext = { ip: '::1', requestId: 'r' };
  const badToken: RequestContext = { ...anonymous, authError: unauthenticated('expired', 'TOKEN_EXPIRED') };

  it('refuses an operation that declares no permission, even to an admin', () => {
    expect(code(() => guard.canActivate(graphqlContext(p.undeclared, admin)))).toBe('FORBIDDEN/NO_PERMISSION_DECLARED');
  });

  it('lets anyone call a public operation, whatever credentials came along', () => {
    expect(code(() => guard.canActivate(graphqlContext(p.open, anonymous)))).toBe('ALLOWED');
    expect(code(() => guard.canActivate(graphqlContext(p.open, badToken)))).toBe('ALLOWED');
  });

  it('needs a principal holding the permission otherwise', () => {
    expect(code(() => guard.canActivate(graphqlContext(p.manageUsers, anonymous)))).toBe('UNAUTHENTICATED/NO_CREDENTIALS');
    expect(code(() => guard.canActivate(graphqlContext(p.manageUsers, badToken)))).toBe('UNAUTHENTICATED/TOKEN_EXPIRED');
    expect(code(() => guard.canActivate(graphqlContext(p.manageUsers, viewer)))).toBe('FORBIDDEN/MISSING_PERMISSION');
    expect(code(() => guard.canActivate(graphqlContext(p.manageUsers, admin)))).toBe('ALLOWED');
  });
});
