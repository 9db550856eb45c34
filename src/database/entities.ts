import { ApiTokenEntity } from 'src/auth/api-token.entity';
import { SessionEntity } from 'src/auth/session.entity';
import { UserEntity } from 'src/auth/user.entity';
import { CrosswalkEntryEntity } from 'src/districts/crosswalk-entry.entity';
import { DistrictContactEntity } from 'src/districts/district-contact.entity';
import { DistrictEntity } from 'src/districts/district.entity';
import { SisLinkEntity } from 'src/districts/sis-link.entity';
import { SnapshotEntity } from 'src/extraction/snapshot.entity';

/** Every TypeORM entity of the service. Tables read and written only with SQL (snap_*, results) have none. */
export const ENTITIES = [
  DistrictEntity,
  DistrictContactEntity,
  SisLinkEntity,
  CrosswalkEntryEntity,
  UserEntity,
  SessionEntity,
  ApiTokenEntity,
  SnapshotEntity,
];
