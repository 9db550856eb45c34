import { Inject, Injectable } from '@nestjs/common';
import { CANONICAL_GRADES, CANONICAL_SEX, ENROLLMENT_STATUSES } from 'connectors/sdk/canonical';
import { defaultCodeMapsFor, type ConnectorDefinition } from 'connectors/sdk/connector.types';
import { DomainException } from 'src/common/domain.exception';
import { CODE_SETS, type CodeSet } from 'src/districts/district.types';
import { mergeCodeMaps } from 'src/extraction/code-lookup.util';
import { CrosswalkRepository, type CrosswalkRow } from 'src/extraction/crosswalk.repository';
import type { CodeMaps } from 'src/extraction/extraction.types';

export interface CrosswalkInput {
  linkId: string;
  codeSet: string;
  sourceValue: string;
  canonicalValue: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_LENGTH = 100;

/** Canonical values are a closed list for these code sets; the others carry state or district codes. */
const CANONICAL_VALUES: Partial<Record<CodeSet, readonly string[]>> = {
  grade_level: CANONICAL_GRADES,
  sex: CANONICAL_SEX,
  enrollment_status: ENROLLMENT_STATUSES,
};

/** District crosswalks: list, upsert and delete overrides, and the merged code maps an extraction uses. */
@Injectable()
export class CrosswalkService {
  constructor(@Inject(CrosswalkRepository) private readonly repo: CrosswalkRepository) {}

  list(districtId: string, linkId?: string): Promise<CrosswalkRow[]> {
    if (!UUID.test(districtId) || (linkId !== undefined && !UUID.test(linkId))) return Promise.resolve([]);
    return this.repo.list(districtId, linkId);
  }

  async upsert(districtId: string, input: CrosswalkInput): Promise<CrosswalkRow> {
    const entry = validateCrosswalk(input);
    if (
      !UUID.test(districtId) ||
      !UUID.test(entry.linkId) ||
      !(await this.repo.linkExists(districtId, entry.linkId))
    ) {
      throw DomainException.notFound('link');
    }
    const saved = await this.repo.upsert({ districtId, ...entry });
    if (!saved) throw DomainException.notFound('link');
    return saved;
  }

  async delete(districtId: string, id: string): Promise<void> {
    if (!UUID.test(districtId) || !UUID.test(id) || !(await this.repo.delete(districtId, id))) {
      throw DomainException.notFound('crosswalk entry');
    }
  }

  /** The maps an extraction of the link uses: the connector's defaults for the district's state, then its overrides. */
  async codeMapsFor(
    districtId: string,
    linkId: string,
    connector: ConnectorDefinition,
    state?: string | null,
  ): Promise<CodeMaps> {
    return mergeCodeMaps(defaultCodeMapsFor(connector, state), await this.repo.overrides(districtId, linkId));
  }
}

/** Checks one override; every problem is listed at once. */
export function validateCrosswalk(
  input: CrosswalkInput,
): Omit<CrosswalkRow, 'id' | 'updatedAt' | 'districtId'> {
  const problems: string[] = [];
  const sourceValue = typeof input.sourceValue === 'string' ? input.sourceValue.trim() : '';
  const canonicalValue = typeof input.canonicalValue === 'string' ? input.canonicalValue.trim() : '';
  const isCodeSet = (CODE_SETS as readonly string[]).includes(input.codeSet);
  if (!isCodeSet) problems.push(`codeSet must be one of ${CODE_SETS.join(', ')}`);
  if (!sourceValue || sourceValue.length > MAX_LENGTH)
    problems.push(`sourceValue must be 1-${MAX_LENGTH} characters`);
  if (!canonicalValue || canonicalValue.length > MAX_LENGTH)
    problems.push(`canonicalValue must be 1-${MAX_LENGTH} characters`);
  const allowed = isCodeSet ? CANONICAL_VALUES[input.codeSet as CodeSet] : undefined;
  if (allowed && canonicalValue && !allowed.includes(canonicalValue)) {
    problems.push(`canonicalValue for ${input.codeSet} must be one of ${allowed.join(', ')}`);
  }
  if (problems.length) throw DomainException.invalid('invalid crosswalk entry', problems);
  return { linkId: input.linkId, codeSet: input.codeSet as CodeSet, sourceValue, canonicalValue };
}
