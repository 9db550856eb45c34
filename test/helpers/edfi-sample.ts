import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CanonicalEntity } from 'connectors/sdk/canonical';
import { projectRoot } from 'src/common/paths.util';

/**
 * The public Ed-Fi "Grand Bend" sample, vendored under data/edfi-grand-bend (see its NOTICE.md for provenance,
 * licence, truncation and counts), so that a clean clone tests the connector on it and the demo ships it.
 */
export function grandBendDir(): string {
  const dir = join(projectRoot(), 'data', 'edfi-grand-bend');
  if (!existsSync(join(dir, 'Student.xml')))
    throw new Error(`the Ed-Fi Grand Bend sample was not found in ${dir}`);
  return dir;
}

/**
 * The sample's element counts (NOTICE.md) per canonical entity: 3 School; 960 Student; 960 StudentSchoolAssociation;
 * programs = every StudentProgramAssociation type (126 + 97 + 64 + 2 + 275 + 38 + 11 + 8 + 82 + 3 = 706);
 * 532 Section; StudentSectionAssociation 63 (partial) + 5 (samples) = 68; 68 Staff; 528 StaffSectionAssociation.
 */
export const GRAND_BEND_COUNTS: Record<CanonicalEntity, number> = {
  school: 3,
  student: 960,
  enrollment: 960,
  program: 706,
  section: 532,
  student_section: 68,
  staff: 68,
  section_staff: 528,
};
