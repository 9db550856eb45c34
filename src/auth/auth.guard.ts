import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC, ROLES_KEY, type AuthenticatedRequest } from 'src/auth/auth.decorators';
import { SESSION_COOKIE, AuthService } from 'src/auth/auth.service';
import type { Role } from 'src/auth/auth.types';
import { DomainErrorCode, DomainException } from 'src/common/domain.exception';

/** Global guard: every endpoint needs a session cookie or a bearer token unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticate(req);
    if (!principal) throw new DomainException(DomainErrorCode.UNAUTHENTICATED, 'authentication required');
    req.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(principal.role)) {
      throw DomainException.forbidden(`this requires one of the roles: ${roles.join(', ')}`);
    }
    // Defence in depth, before any body is parsed: a district route outside the caller's tenant is "not found".
    const districtId = (req.params as Record<string, string | undefined>).districtId;
    if (districtId !== undefined && principal.role !== 'support' && districtId !== principal.districtId) {
      throw DomainException.notFound('district');
    }
    return true;
  }

  private async authenticate(req: AuthenticatedRequest) {
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) return this.auth.principalFromBearer(header.slice(7).trim());
    const cookies = req.cookies as Record<string, string> | undefined;
    const cookie = cookies?.[SESSION_COOKIE];
    return cookie ? this.auth.principalFromSession(cookie) : null;
  }
}
