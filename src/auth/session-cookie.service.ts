import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { LoginDto } from 'src/auth/auth.dto';
import { AuthService, SESSION_COOKIE } from 'src/auth/auth.service';
import { CSRF_COOKIE, csrfTokenFor } from 'src/auth/csrf.util';
import type { Principal } from 'src/auth/auth.types';
import { APP_CONFIG, type AppConfig } from 'src/config/config.service';

/** Keeps cookie handling out of the controller: sets and clears the session cookie. */
@Injectable()
export class SessionCookieService {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Sets the HttpOnly session cookie and the readable CSRF cookie; the CSRF token is also in the body. */
  async login(
    dto: LoginDto,
    res: Response,
  ): Promise<{ user: Principal; expiresAt: Date; csrfToken: string }> {
    const { sessionToken, principal, expiresAt } = await this.auth.login(dto.email, dto.password);
    const secure = this.config.security.COOKIE_SECURE === 'true';
    res.cookie(SESSION_COOKIE, sessionToken, {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      expires: expiresAt,
      path: '/',
    });
    const csrfToken = csrfTokenFor(sessionToken);
    res.cookie(CSRF_COOKIE, csrfToken, {
      httpOnly: false,
      sameSite: 'strict',
      secure,
      expires: expiresAt,
      path: '/',
    });
    return { user: principal, expiresAt, csrfToken };
  }

  async logout(req: Request, res: Response): Promise<void> {
    const cookies = req.cookies as Record<string, string> | undefined;
    const token = cookies?.[SESSION_COOKIE];
    if (token) await this.auth.logout(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.clearCookie(CSRF_COOKIE, { path: '/' });
  }
}
