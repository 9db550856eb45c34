import type { Principal } from 'src/auth/auth.types';
import { DomainException } from 'src/common/domain.exception';

/**
 * The rows a caller may touch. Repositories take a scope on every query: support staff see every district,
 * everyone else only their own. A district id outside the scope is reported as "not found" so other
 * tenants' ids cannot be probed.
 */
export class TenantScope {
  private constructor(
    readonly districtId: string | null,
    readonly schoolIds: string[],
    readonly programCodes: string[],
  ) {}

  static of(p: Principal): TenantScope {
    if (p.role === 'support') return new TenantScope(null, [], []);
    if (!p.districtId) throw DomainException.forbidden('this account is not attached to a district');
    return new TenantScope(
      p.districtId,
      p.role === 'school_user' ? p.schoolIds : [],
      p.role === 'program_user' ? p.programCodes : [],
    );
  }

  /** System work (workers, schedulers, CLI) acting for all districts. */
  static system(): TenantScope {
    return new TenantScope(null, [], []);
  }

  get isAllDistricts(): boolean {
    return this.districtId === null;
  }

  /** Throws not-found when the district is outside the scope. */
  assertDistrict(districtId: string): void {
    if (this.districtId !== null && this.districtId !== districtId)
      throw DomainException.notFound('district');
  }

  /** SQL fragment + params restricting a `district_id` column; `$n` numbering starts at `next`. */
  sql(column: string, next: number): { clause: string; params: string[] } {
    if (this.districtId === null) return { clause: 'TRUE', params: [] };
    return { clause: `${column} = $${next}`, params: [this.districtId] };
  }
}
