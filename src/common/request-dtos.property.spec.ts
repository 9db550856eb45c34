import { BadRequestException } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import { createValidationPipe } from 'src/common/validation.pipe';
import * as agents from 'src/agent-gateway/agents.dto';
import * as auth from 'src/auth/auth.dto';
import * as comparison from 'src/comparison/comparison.dto';
import * as idCrosswalk from 'src/comparison/id-crosswalk.dto';
import * as connectivity from 'src/connectivity/connectivity.dto';
import * as districts from 'src/districts/districts.dto';
import * as crosswalk from 'src/extraction/crosswalk.dto';
import * as directory from 'src/reference-data/state-directory.dto';
import * as rules from 'src/rule-engine/rules-api.dto';
import * as runs from 'src/runs/runs.dto';
import * as exclusions from 'src/scorecards/exclusions.dto';
import * as scorecards from 'src/scorecards/scorecards.dto';

type DtoClass = new () => object;

/** Every request DTO class the API validates (bodies and query strings). */
const DTOS: Array<[string, DtoClass]> = Object.entries({
  ...agents,
  ...auth,
  ...comparison,
  ...idCrosswalk,
  ...connectivity,
  ...districts,
  ...crosswalk,
  ...directory,
  ...rules,
  ...runs,
  ...exclusions,
  ...scorecards,
})
  .filter((e): e is [string, DtoClass] => typeof e[1] === 'function')
  // Request DTOs are the classes with validation rules (response shapes in the same files have none).
  .filter(([, cls]) => getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false).length > 0);

const pipe = createValidationPipe();

/** Junk as a client can send it in JSON: any JSON value, objects with hostile keys, strings with NULs. */
const junk = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(
    fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'name', 'email', 'state')),
    fc.jsonValue(),
  ),
  fc.record({ name: fc.string(), state: fc.string(), email: fc.string() }, { requiredKeys: [] }),
);

describe('request DTOs under property-based junk', () => {
  it('finds the request DTOs', () => {
    expect(DTOS.length).toBeGreaterThan(15);
  });

  it.each(DTOS)(
    '%s: any body is either accepted or refused with a 400 — never another error',
    async (_n, dto) => {
      await fc.assert(
        fc.asyncProperty(junk, async (body) => {
          try {
            const out: unknown = await pipe.transform(body, { type: 'body', metatype: dto });
            // Accepted: an instance of the DTO, never the raw input with extra keys slipped through.
            expect(out).toBeInstanceOf(dto);
          } catch (err) {
            expect(err).toBeInstanceOf(BadRequestException);
          }
        }),
        { numRuns: 60 },
      );
    },
  );
});
