import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal, Role } from 'src/auth/auth.types';
import { TenantScope } from 'src/auth/tenant-scope';

export const IS_PUBLIC = 'sis-certify:public';
export const ROLES_KEY = 'sis-certify:roles';

/** The endpoint needs no credentials (login, health, API docs). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** Only these roles may call the endpoint; without it every authenticated role may. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!req.principal) throw new Error('CurrentPrincipal used on a public endpoint');
  return req.principal;
});

export const Scope = createParamDecorator((_: unknown, ctx: ExecutionContext): TenantScope => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!req.principal) throw new Error('Scope used on a public endpoint');
  return TenantScope.of(req.principal);
});
