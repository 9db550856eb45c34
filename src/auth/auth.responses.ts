import { ApiProperty } from '@nestjs/swagger';
import type { IssuedToken } from 'src/auth/auth.service';
import { ROLES, type Principal, type Role } from 'src/auth/auth.types';
import type { UserView } from 'src/auth/auth.dto';

/** The caller as the API sees them: role, district and scope. */
export class PrincipalDto implements Principal {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null for support staff' })
  districtId: string | null;
  @ApiProperty({ type: [String], description: 'schools a school_user sees' }) schoolIds: string[];
  @ApiProperty({ type: [String], description: 'programs a program_user sees' }) programCodes: string[];
  @ApiProperty({ enum: ['session', 'token'] }) via: 'session' | 'token';
}

export class LoginResponseDto {
  @ApiProperty({ type: PrincipalDto }) user: PrincipalDto;
  @ApiProperty() expiresAt: Date;
  @ApiProperty({ description: 'send it back as the X-CSRF-Token header on state-changing requests' })
  csrfToken: string;
}

export class IssuedTokenDto implements IssuedToken {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'the opaque token (sisc_…); shown in this response only' }) token: string;
  @ApiProperty() prefix: string;
  @ApiProperty({ type: Date, nullable: true }) expiresAt: Date | null;
}

export class TokenSummaryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() prefix: string;
  @ApiProperty({ type: Date, nullable: true }) expiresAt: Date | null;
  @ApiProperty({ type: Date, nullable: true }) lastUsedAt: Date | null;
  @ApiProperty({ type: Date, nullable: true }) revokedAt: Date | null;
}

export class UserViewDto implements UserView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) districtId: string | null;
  @ApiProperty({ type: [String] }) schoolIds: string[];
  @ApiProperty({ type: [String] }) programCodes: string[];
  @ApiProperty() active: boolean;
  @ApiProperty({ type: Date, nullable: true }) lastLoginAt: Date | null;
}
