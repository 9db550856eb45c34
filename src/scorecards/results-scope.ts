import type { Principal, Role } from 'src/auth/auth.types';
import type { Params } from 'src/scorecards/sql-params.util';
import type { RuleMeta } from 'src/scorecards/scorecards.types';

/**
 * What a caller may see of a district's results, turned into SQL by the repositories (never filtered in
 * controllers or after the fact):
 *   support, district_admin  every record and every rule
 *   school_user              records whose school is one of theirs; rules whose audience has `school` and not `sensitive`
 *   program_user             records of students in one of their programs; rules whose audience has `program`;
 *                            for `sensitive` rules only records that are themselves of one of their programs
 * Rules the catalog does not know (a rule since removed) are shown to district_admin and support only.
 */
export class ResultsScope {
  private constructor(
    readonly districtId: string,
    readonly role: Role,
    readonly userId: string,
    readonly email: string,
    /** null = every school. */
    readonly schoolIds: string[] | null,
    /** null = every program. */
    readonly programCodes: string[] | null,
    /** null = every rule. */
    readonly visibleRuleIds: string[] | null,
    readonly sensitiveRuleIds: string[],
  ) {}

  static of(p: Principal, districtId: string, catalog: RuleMeta[]): ResultsScope {
    const sensitive = catalog.filter((r) => r.audience.includes('sensitive')).map((r) => r.ruleId);
    if (p.role === 'school_user') {
      const visible = catalog
        .filter((r) => r.audience.includes('school') && !r.audience.includes('sensitive'))
        .map((r) => r.ruleId);
      return new ResultsScope(districtId, p.role, p.userId, p.email, p.schoolIds, null, visible, []);
    }
    if (p.role === 'program_user') {
      const visible = catalog.filter((r) => r.audience.includes('program')).map((r) => r.ruleId);
      return new ResultsScope(
        districtId,
        p.role,
        p.userId,
        p.email,
        null,
        p.programCodes,
        visible,
        sensitive,
      );
    }
    return new ResultsScope(districtId, p.role, p.userId, p.email, null, null, null, []);
  }

  /** The whole district (system work: captures, digests before they are scoped per user). */
  static district(districtId: string): ResultsScope {
    return new ResultsScope(districtId, 'district_admin', '', '', null, null, null, []);
  }

  /** The same caller narrowed to one school (nothing when it is not one of theirs). */
  withSchool(schoolId: string): ResultsScope {
    const schools = this.schoolIds === null || this.schoolIds.includes(schoolId) ? [schoolId] : [];
    return new ResultsScope(
      this.districtId,
      this.role,
      this.userId,
      this.email,
      schools,
      this.programCodes,
      this.visibleRuleIds,
      this.sensitiveRuleIds,
    );
  }

  get isAdmin(): boolean {
    return this.role === 'support' || this.role === 'district_admin';
  }

  /** Program scoping reads the student's programs from scorecard_students. */
  get needsStudents(): boolean {
    return this.programCodes !== null;
  }

  ruleVisible(ruleId: string): boolean {
    return this.visibleRuleIds === null || this.visibleRuleIds.includes(ruleId);
  }

  /**
   * Predicate over a rule_exceptions row `x` (and its scorecard_students row `st` when needsStudents).
   * The district is always part of it.
   */
  exceptionSql(x: string, st: string, p: Params): string {
    return this.sql(
      p,
      `${x}.district_id = ${p.add(this.districtId)}`,
      `${x}.rule_id`,
      `${x}.school_id`,
      `${x}.program_code`,
      `${st}.program_codes`,
    );
  }

  /** The same predicate over an exclusions row `e` (which keeps its record's school, program and student's programs). */
  exclusionSql(e: string, p: Params): string {
    return this.sql(
      p,
      `${e}.district_id = ${p.add(this.districtId)}`,
      `${e}.rule_id`,
      `${e}.school_id`,
      `${e}.program_code`,
      `${e}.program_codes`,
    );
  }

  /** Rules only (rule_results rows, trend counts). */
  ruleSql(ruleCol: string, p: Params): string {
    return this.visibleRuleIds === null ? 'TRUE' : `${ruleCol} = ANY(${p.add(this.visibleRuleIds)}::text[])`;
  }

  /** Schools only (scorecard_counts rows); program scope cannot be answered from per-school counts. */
  schoolSql(schoolCol: string, p: Params): string {
    return this.schoolIds === null ? 'TRUE' : `${schoolCol} = ANY(${p.add(this.schoolIds)}::text[])`;
  }

  private sql(
    p: Params,
    district: string,
    rule: string,
    school: string,
    programCode: string,
    studentPrograms: string,
  ): string {
    const parts = [district, this.ruleSql(rule, p)];
    if (this.schoolIds !== null) parts.push(`${school} = ANY(${p.add(this.schoolIds)}::text[])`);
    if (this.programCodes !== null) {
      const codes = p.add(this.programCodes);
      const sensitive = p.add(this.sensitiveRuleIds);
      parts.push(
        `(${programCode} = ANY(${codes}::text[]) OR (${rule} <> ALL(${sensitive}::text[]) AND coalesce(${studentPrograms}, '{}') && ${codes}::text[]))`,
      );
    }
    return parts.join(' AND ');
  }
}
