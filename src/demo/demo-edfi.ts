import { Logger } from '@nestjs/common';
import { projectPath } from 'src/common/paths.util';
import { EDFI_DEMO_DISTRICT_NAME, type DemoRepository } from 'src/demo/demo.repository';

/** The Texas demo district's admin (password DEMO_PASSWORD, like every demo login). */
export const EDFI_DEMO_USERS = { admin: 'grandbend.admin@demo.sis-certify.local' };

/** The public Grand Bend sample is school year 2021-22; its demo run is taken as of a school day in it. */
export const EDFI_DEMO_SCHOOL_YEAR = 2021;
export const EDFI_DEMO_AS_OF = '2022-03-01';

/** The vendored sample (data/edfi-grand-bend), found from the package root whether the service runs from src/ or dist/. */
export function grandBendSampleDir(): string {
  return projectPath('data', 'edfi-grand-bend');
}

export interface EdfiDemoHandle {
  districtId: string;
  /** True when this start created the district: its first run is to be executed. */
  created: boolean;
}

/**
 * The demo's second district: Grand Bend ISD (Texas), whose SIS is read through Ed-Fi — one `current` link of
 * the XML interchange transport on the public Grand Bend sample (960 students, 3 schools) — and its own
 * district admin. Added next to the California demo (also to a demo database made before it existed); a
 * restart points the link at the sample's folder again.
 */
export async function ensureEdfiDemo(
  repo: DemoRepository,
  passwordHash: () => Promise<string>,
): Promise<EdfiDemoHandle> {
  const path = grandBendSampleDir();
  const existing = await repo.findDistrict(EDFI_DEMO_DISTRICT_NAME);
  if (existing) {
    await repo.updateEdfiPath(existing, path);
    return { districtId: existing, created: false };
  }
  const districtId = await repo.createEdfiDistrict(EDFI_DEMO_SCHOOL_YEAR);
  await repo.addContact(
    districtId,
    'Ana Villarreal (PEIMS coordinator)',
    'ana.villarreal@demo.sis-certify.local',
    'administrative',
  );
  await repo.addUser({
    email: EDFI_DEMO_USERS.admin,
    name: 'Ana Villarreal',
    role: 'district_admin',
    districtId,
    passwordHash: await passwordHash(),
  });
  await repo.addEdfiLink(districtId, 'Ed-Fi ODS (XML interchange, Grand Bend sample)', path);
  new Logger('Demo').log('Ed-Fi demo district created (Grand Bend ISD, Texas)');
  return { districtId, created: true };
}
