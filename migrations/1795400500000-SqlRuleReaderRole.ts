import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The role `sql` rules run as: no login, no superuser, no privileges on any table. The executor grants it SELECT
 * on the per-evaluation temporary views of the snapshot and `SET LOCAL ROLE`s to it, so a rule that slipped past
 * the parser guard still cannot read users, links, sessions or other districts' snapshots, nor call functions
 * reserved to privileged roles (pg_read_file, pg_terminate_backend of other roles …).
 *
 * Roles are cluster-wide: the role is created once if missing, and only where the migrating user may create roles
 * (superuser or CREATEROLE); elsewhere this is a logged no-op and the service falls back to the parser guard and
 * a read-only transaction (see docs/operations.md). PGlite supports roles, so the embedded database gets it too.
 */
export class SqlRuleReaderRole1795400500000 implements MigrationInterface {
  name = 'SqlRuleReaderRole1795400500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$
DECLARE
  may_create boolean;
BEGIN
  SELECT rolsuper OR rolcreaterole INTO may_create FROM pg_roles WHERE rolname = current_user;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sisc_rule_reader') THEN
    IF NOT may_create THEN
      RAISE NOTICE 'sisc_rule_reader not created: % may not create roles', current_user;
      RETURN;
    END IF;
    BEGIN
      CREATE ROLE sisc_rule_reader NOLOGIN NOSUPERUSER NOINHERIT NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- created concurrently by another database of the cluster
    END;
  END IF;
  IF NOT pg_has_role(current_user, 'sisc_rule_reader', 'MEMBER') AND may_create THEN
    EXECUTE format('GRANT sisc_rule_reader TO %I', current_user);
  END IF;
END $$`);
  }

  public async down(): Promise<void> {
    // The role is shared by every database of the cluster (other sis-certify databases may use it), and it owns
    // nothing here: the per-evaluation views and grants vanish with their transactions. Nothing to undo.
  }
}
