import { CANONICAL_ENTITIES } from 'connectors/sdk/canonical';
import {
  AUDIENCES,
  CHECK_KINDS,
  COMPARE_OPS,
  EDITIONS,
  RULE_SCOPES,
  SEVERITIES,
} from 'src/rule-engine/rule.types';

/** JSON schemas (ajv, draft-07) for a pack file's header and for one rule; semantic checks follow in the validator. */
const fieldName = { type: 'string', pattern: '^[a-z][a-z0-9_]*$' };
const fieldList = { type: 'array', items: fieldName, minItems: 1, uniqueItems: true };
const scalar = { type: ['string', 'number', 'boolean'] };
const expression = { type: 'string', minLength: 1, maxLength: 2000 };

const checkSchemas = {
  required: fieldList,
  allowed: {
    type: 'object',
    required: ['field', 'values'],
    additionalProperties: false,
    properties: { field: fieldName, values: { type: 'array', items: scalar, minItems: 1 } },
  },
  pattern: {
    type: 'object',
    required: ['field', 'regex'],
    additionalProperties: false,
    properties: { field: fieldName, regex: { type: 'string', minLength: 1 } },
  },
  range: {
    type: 'object',
    required: ['field'],
    anyOf: [{ required: ['min'] }, { required: ['max'] }],
    additionalProperties: false,
    properties: {
      field: fieldName,
      min: { type: ['string', 'number'] },
      max: { type: ['string', 'number'] },
    },
  },
  compare: {
    type: 'object',
    required: ['left', 'op', 'right'],
    additionalProperties: false,
    properties: {
      left: fieldName,
      op: { enum: [...COMPARE_OPS] },
      right: {
        oneOf: [
          fieldName,
          { type: 'object', required: ['value'], additionalProperties: false, properties: { value: scalar } },
        ],
      },
    },
  },
  expression,
  unique: {
    type: 'object',
    required: ['fields'],
    additionalProperties: false,
    properties: { fields: fieldList, where: expression },
  },
  no_overlap: {
    type: 'object',
    required: ['key', 'start', 'end'],
    additionalProperties: false,
    properties: { key: fieldList, start: fieldName, end: fieldName, where: expression },
  },
  exists: {
    type: 'object',
    required: ['entity', 'match'],
    additionalProperties: false,
    properties: {
      entity: { enum: [...CANONICAL_ENTITIES] },
      match: { type: 'object', minProperties: 1, additionalProperties: fieldName },
      where: expression,
      negate: { type: 'boolean' },
    },
  },
  count_change: {
    type: 'object',
    required: ['max_percent'],
    additionalProperties: false,
    properties: {
      group_by: { type: 'array', items: fieldName, uniqueItems: true },
      max_percent: { type: 'number', minimum: 0 },
      min_count: { type: 'integer', minimum: 0 },
    },
  },
  sql: { type: 'string', minLength: 1, maxLength: 20000 },
} as const;

export const RULE_SCHEMA = {
  type: 'object',
  required: [
    'id',
    'title',
    'entity',
    'severity',
    'audience',
    'check',
    'needs',
    'source',
    'prescription',
    'examples',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[A-Z0-9][A-Z0-9-]*$', maxLength: 64 },
    title: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    entity: { enum: [...CANONICAL_ENTITIES] },
    severity: { enum: [...SEVERITIES] },
    audience: { type: 'array', items: { enum: [...AUDIENCES] }, minItems: 1, uniqueItems: true },
    editions: { type: 'array', items: { enum: [...EDITIONS] }, minItems: 1, uniqueItems: true },
    sis: {
      type: 'array',
      items: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' },
      minItems: 1,
      uniqueItems: true,
    },
    scope: { enum: [...RULE_SCOPES] },
    when: expression,
    check: {
      type: 'object',
      minProperties: 1,
      maxProperties: 1,
      propertyNames: { enum: [...CHECK_KINDS] },
      properties: checkSchemas,
    },
    needs: {
      type: 'array',
      items: { type: 'string', pattern: '^([a-z_]+\\.)?[a-z][a-z0-9_]*$' },
      uniqueItems: true,
    },
    tolerance: {
      type: 'object',
      required: ['max_percent'],
      additionalProperties: false,
      properties: { max_percent: { type: 'number', minimum: 0, maximum: 100 } },
    },
    source: { type: 'string', minLength: 1 },
    source_url: { type: 'string', pattern: '^https?://[^\\s]+$', maxLength: 500 },
    prescription: { type: 'string', minLength: 1 },
    examples: {
      type: 'object',
      required: ['pass', 'fail'],
      additionalProperties: false,
      properties: {
        pass: { type: 'array', items: { type: 'object' }, minItems: 1 },
        fail: { type: 'array', items: { type: 'object' }, minItems: 1 },
      },
    },
  },
} as const;

export const PACK_SCHEMA = {
  type: 'object',
  required: ['pack', 'title', 'rules'],
  additionalProperties: false,
  properties: {
    pack: { type: 'string', pattern: '^([a-z][a-z0-9_]*|district:[0-9a-f-]{36})$' },
    title: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    scope: { enum: [...RULE_SCOPES] },
    rules: { type: 'array', items: { type: 'object' } },
  },
} as const;

/** Keys a set-level example data set may hold. */
export const DATA_SET_KEYS = ['rows', 'context', 'previous', 'failing', 'as_of', 'today'] as const;
