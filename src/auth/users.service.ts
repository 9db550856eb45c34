import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from 'src/common/tokens';
import type { CreateUserDto, UpdateUserDto, UserView } from 'src/auth/auth.dto';
import type { Principal, Role } from 'src/auth/auth.types';
import { hashPassword } from 'src/auth/password.util';
import { TenantScope } from 'src/auth/tenant-scope';
import type { UserEntity } from 'src/auth/user.entity';
import { UsersRepository } from 'src/auth/users.repository';
import { DomainException } from 'src/common/domain.exception';
import { DistrictsRepository } from 'src/districts/districts.repository';

export function toUserView(u: UserEntity): UserView {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    role: u.role,
    districtId: u.districtId,
    schoolIds: u.schoolIds,
    programCodes: u.programCodes,
    active: u.active,
    lastLoginAt: u.lastLoginAt,
  };
}

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly districts: DistrictsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(principal: Principal, districtId: string): Promise<UserView[]> {
    const scope = TenantScope.of(principal);
    await this.requireDistrict(scope, districtId);
    return (await this.users.listForDistrict(scope, districtId)).map(toUserView);
  }

  async create(principal: Principal, districtId: string | null, dto: CreateUserDto): Promise<UserView> {
    this.assertMayGrant(principal, dto.role, districtId);
    this.assertScopeFitsRole(dto);
    if (districtId) await this.requireDistrict(TenantScope.of(principal), districtId);
    await this.assertEmailFree(principal, districtId, dto.email);
    const user = await this.users.create({
      email: dto.email,
      displayName: dto.displayName,
      role: dto.role,
      districtId: dto.role === 'support' ? null : districtId,
      schoolIds: dto.schoolIds ?? [],
      programCodes: dto.programCodes ?? [],
      passwordHash: dto.password ? await hashPassword(dto.password) : null,
    });
    return toUserView(user);
  }

  async update(principal: Principal, districtId: string, id: string, dto: UpdateUserDto): Promise<UserView> {
    const scope = TenantScope.of(principal);
    await this.requireDistrict(scope, districtId);
    const user = await this.users.findInDistrict(scope, districtId, id);
    if (!user) throw DomainException.notFound('user');
    if (dto.role) this.assertMayGrant(principal, dto.role, districtId);
    if (dto.displayName !== undefined) user.displayName = dto.displayName;
    if (dto.role !== undefined) user.role = dto.role;
    if (dto.schoolIds !== undefined) user.schoolIds = dto.schoolIds;
    if (dto.programCodes !== undefined) user.programCodes = dto.programCodes;
    if (dto.active !== undefined) user.active = dto.active;
    if (dto.password !== undefined) user.passwordHash = await hashPassword(dto.password);
    // A new password (or a deactivation) ends every session and API token of the user: whoever held the old
    // credentials, or anything issued with them, is locked out.
    if (dto.password !== undefined || dto.active === false)
      return toUserView(await this.users.saveRevokingAccess(user, this.clock.now()));
    return toUserView(await this.users.save(user));
  }

  /**
   * E-mails are unique across tenants (they are the login). Support staff see every tenant and learn where the
   * address is taken; anyone else gets one answer whoever holds it (their district, another, support), which
   * neither echoes the address nor names a tenant, and the attempt on another tenant's address is logged for
   * support to follow up.
   */
  private async assertEmailFree(
    principal: Principal,
    districtId: string | null,
    email: string,
  ): Promise<void> {
    const owner = await this.users.emailOwnerDistrict(email);
    if (owner === undefined) return;
    if (principal.role === 'support') throw DomainException.conflict(`a user with e-mail ${email} exists`);
    if (owner !== districtId) {
      this.logger.warn(
        { userId: principal.userId, districtId, ownerDistrictId: owner },
        'a district user tried to create a user with an e-mail another tenant holds',
      );
    }
    throw DomainException.conflict('this e-mail address cannot be used for a new user');
  }

  /** Schools scope only a school_user, programs only a program_user: anything else is refused, not dropped. */
  private assertScopeFitsRole(dto: CreateUserDto): void {
    if (dto.role !== 'school_user' && (dto.schoolIds?.length ?? 0) > 0)
      throw DomainException.invalid(`schoolIds are only for the school_user role (not ${dto.role})`);
    if (dto.role !== 'program_user' && (dto.programCodes?.length ?? 0) > 0)
      throw DomainException.invalid(`programCodes are only for the program_user role (not ${dto.role})`);
  }

  private assertMayGrant(principal: Principal, role: Role, districtId: string | null): void {
    if (role === 'support' && principal.role !== 'support')
      throw DomainException.forbidden('only support staff create support users');
    if (role !== 'support' && !districtId) throw DomainException.invalid('a district user needs a district');
  }

  private async requireDistrict(scope: TenantScope, districtId: string): Promise<void> {
    if (!(await this.districts.find(scope, districtId))) throw DomainException.notFound('district');
  }
}
