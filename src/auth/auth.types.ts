export const ROLES = ['support', 'district_admin', 'school_user', 'program_user'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved once per request by the auth guard and passed to services and repositories. */
export interface Principal {
  userId: string;
  email: string;
  role: Role;
  /** null only for support staff, who see every district. */
  districtId: string | null;
  schoolIds: string[];
  programCodes: string[];
  via: 'session' | 'token';
}
