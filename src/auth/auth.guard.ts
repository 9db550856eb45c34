import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC, ROLES_KEY, type AuthenticatedRequest } from 'src/auth/auth.decorators';
import { SESSION_COOKIE, AuthService } from 'src/auth/auth.service';
import type { Principal, Role } from 'src/auth/auth.types';
import { CSRF_COOKIE, CSRF_HEADER, csrfTokenValid, isStateChanging, originAllowed } from 'src/auth/csrf.util';
import { DomainErrorCode, DomainException } from 'src/common/domain.exception';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';

/**
 * Global guard: every endpoint needs a session cookie or a bearer token unless marked @Public(). A
 * state-changing request that is not bearer-authenticated must come from this service's origin, and one
 * authenticated by the session cookie must also carry the CSRF token (header `X-CSRF-Token` = cookie `sis_csrf`).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const changing = isStateChanging(req.method);
    if (changing && !this.bearer(req)) this.assertSameOrigin(req);
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const principal = await this.authenticate(req, changing);
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

  private bearer(req: AuthenticatedRequest): string | null {
    const header = req.headers.authorization;
    return header?.startsWith('Bearer ') ? header.slice(7).trim() : null;
  }

  private assertSameOrigin(req: AuthenticatedRequest): void {
    const origin = req.headers.origin;
    if (!originAllowed(origin, this.config.http.PUBLIC_URL, req.headers.host)) {
      throw DomainException.forbidden('cross-origin request refused');
    }
  }

  private async authenticate(req: AuthenticatedRequest, changing: boolean): Promise<Principal | null> {
    const bearer = this.bearer(req);
    if (bearer !== null) return this.auth.principalFromBearer(bearer);
    const cookies = req.cookies as Record<string, string> | undefined;
    const session = cookies?.[SESSION_COOKIE];
    if (!session) return null;
    const principal = await this.auth.principalFromSession(session);
    if (principal && changing && !csrfTokenValid(session, cookies?.[CSRF_COOKIE], req.headers[CSRF_HEADER])) {
      throw DomainException.forbidden(`the ${CSRF_HEADER} header must equal the ${CSRF_COOKIE} cookie`);
    }
    return principal;
  }
}
