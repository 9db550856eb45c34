import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CanonicalEntity } from 'connectors/sdk/canonical';
import { projectRoot } from 'src/common/paths.util';

/**
 * The public Ed-Fi "Grand Bend" sample (`shared/reference/edfi-sample`, beside the repository; see its
 * README for provenance, licence and counts), found by walking up from the project root so that a clone,
 * a worktree and CI's copy all find it.
 */
export function grandBendDir(): string {
  for (let dir = projectRoot(); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'reference', 'edfi-sample');
    if (existsSync(join(candidate, 'Student.xml'))) return candidate;
    if (dirname(dir) === dir)
      throw new Error('the Ed-Fi Grand Bend sample (shared/reference/edfi-sample) was not found');
  }
}

/**
 * The README's element counts per canonical entity: 3 School; 960 Student; 960 StudentSchoolAssociation;
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
