import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from 'src/auth/auth.decorators';
import { EdfiFilesService } from 'src/districts/edfi-files.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs after the global AuthGuard and before multer reads the body: a link outside the caller's district
 * (404), not an Ed-Fi XML link or read through an agent (409) is refused before a byte is written to disk.
 */
@Injectable()
export class EdfiUploadLinkGuard implements CanActivate {
  constructor(private readonly files: EdfiFilesService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const { districtId, linkId } = req.params as Record<string, string | undefined>;
    // Malformed ids are left to the route's ParseUUIDPipe (400); the principal is set by the AuthGuard.
    if (!req.principal || !districtId || !linkId || !UUID.test(districtId) || !UUID.test(linkId)) return true;
    await this.files.requireUploadLink(req.principal, districtId, linkId);
    return true;
  }
}
