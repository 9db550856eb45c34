import { aeriesConnector } from 'connectors/aeries/aeries.connector';
import { edfiConnector } from 'connectors/edfi/edfi.connector';
import { infiniteCampusConnector } from 'connectors/infinite-campus/infinite-campus.connector';
import { powerschoolConnector } from 'connectors/powerschool/powerschool.connector';
import { CANONICAL_ENTITIES, DIRECTORY_FIELDS, type CanonicalEntity } from 'connectors/sdk/canonical';
import type { ConnectorDefinition } from 'connectors/sdk/connector.types';
import { SIS_KINDS, type SisKind } from 'connectors/sdk/sis-kinds';

/** Every connector, by SIS kind. */
export const CONNECTORS: Record<SisKind, ConnectorDefinition> = {
  aeries: aeriesConnector,
  powerschool: powerschoolConnector,
  infinite_campus: infiniteCampusConnector,
  edfi: edfiConnector,
};

export function isSisKind(kind: string): kind is SisKind {
  return (SIS_KINDS as readonly string[]).includes(kind);
}

/** The connector for a SIS kind; throws on an unknown kind (e.g. a typo in a link's sis_kind). */
export function getConnector(kind: string): ConnectorDefinition {
  if (!isSisKind(kind)) {
    throw new Error(`unknown SIS kind "${kind}" (known: ${SIS_KINDS.join(', ')})`);
  }
  return CONNECTORS[kind];
}

/**
 * Canonical fields each entity of a connector supplies (the keys of its field map, plus the state school
 * directory's fields the pipeline adds), in canonical entity order.
 */
export function suppliedFields(def: ConnectorDefinition): Record<CanonicalEntity, string[]> {
  const out = Object.fromEntries(CANONICAL_ENTITIES.map((e) => [e, [] as string[]])) as Record<
    CanonicalEntity,
    string[]
  >;
  for (const spec of def.entities) {
    out[spec.entity] = Object.entries(spec.fields)
      .filter(([, source]) => source !== undefined)
      .map(([field]) => field);
  }
  for (const [entity, fields] of Object.entries(DIRECTORY_FIELDS) as Array<[CanonicalEntity, string[]]>)
    out[entity] = [...out[entity], ...fields.filter((f) => !out[entity].includes(f))];
  return out;
}

/** The SIS kinds with a SQL replica (generator, demo, benchmark); Ed-Fi is read from files or an API. */
export const REPLICA_SIS_KINDS = [
  'aeries',
  'powerschool',
  'infinite_campus',
] as const satisfies readonly SisKind[];
export type ReplicaSisKind = (typeof REPLICA_SIS_KINDS)[number];

/**
 * Path of a connector's replica DDL (PostgreSQL), e.g. for the generator and the demo. Ed-Fi has none: the
 * generator writes an Ed-Fi district as XML interchange files (connectors/generator/edfi.writer.ts).
 */
export const REPLICA_DIRS: Record<ReplicaSisKind, string> = {
  aeries: 'aeries',
  powerschool: 'powerschool',
  infinite_campus: 'infinite-campus',
};
