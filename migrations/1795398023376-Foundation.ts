import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1795398023376 implements MigrationInterface {
  name = 'Foundation1795398023376';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "districts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "name" text NOT NULL, "state" character(2) NOT NULL, "edition" text NOT NULL DEFAULT \'full\', "time_zone" text NOT NULL DEFAULT \'America/Los_Angeles\', "nightly_at" text DEFAULT \'02:00\', "off_season" jsonb NOT NULL DEFAULT \'[]\', "school_year" integer, CONSTRAINT "PK_972a72ff4e3bea5c7f43a2b98af" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_districts_state" ON "districts" ("state") ');
    await queryRunner.query(
      'CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "email" text NOT NULL, "display_name" text NOT NULL, "password_hash" text, "role" text NOT NULL, "district_id" uuid, "school_ids" text array NOT NULL DEFAULT \'{}\', "program_codes" text array NOT NULL DEFAULT \'{}\', "active" boolean NOT NULL DEFAULT true, "last_login_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "ux_users_email" ON "users" ("email") ');
    await queryRunner.query('CREATE INDEX "ix_users_district" ON "users" ("district_id") ');
    await queryRunner.query(
      'CREATE TABLE "api_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "name" text NOT NULL, "prefix" text NOT NULL, "token_hash" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c587455266b5fa8dace7194caac" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_api_tokens_user" ON "api_tokens" ("user_id") ');
    await queryRunner.query('CREATE UNIQUE INDEX "ux_api_tokens_hash" ON "api_tokens" ("token_hash") ');
    await queryRunner.query(
      'CREATE TABLE "user_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "token_hash" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e93e031a5fed190d4789b6bfd83" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_user_sessions_user" ON "user_sessions" ("user_id") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "ux_user_sessions_token" ON "user_sessions" ("token_hash") ',
    );
    await queryRunner.query(
      'CREATE TABLE "sis_links" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "district_id" uuid NOT NULL, "name" text NOT NULL, "role" text NOT NULL, "sis_kind" text NOT NULL, "transport" text NOT NULL DEFAULT \'direct\', "settings" jsonb NOT NULL, "secret_ciphertext" text, "is_test_copy" boolean NOT NULL DEFAULT false, "agent_id" uuid, "probe_interval_seconds" integer NOT NULL DEFAULT \'60\', "snapshots_to_keep" integer NOT NULL DEFAULT \'3\', "enabled" boolean NOT NULL DEFAULT true, CONSTRAINT "PK_24b43d95b648e35c8924db9634d" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "ux_sis_links_district_role" ON "sis_links" ("district_id", "role") ',
    );
    await queryRunner.query(
      'CREATE TABLE "code_crosswalks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "district_id" uuid NOT NULL, "link_id" uuid NOT NULL, "code_set" text NOT NULL, "source_value" text NOT NULL, "canonical_value" text NOT NULL, CONSTRAINT "PK_07a034372b6c09dfebf5b2f88f1" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_code_crosswalks_district" ON "code_crosswalks" ("district_id") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "ux_code_crosswalks_entry" ON "code_crosswalks" ("link_id", "code_set", "source_value") ',
    );
    await queryRunner.query(
      'CREATE TABLE "district_contacts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "district_id" uuid NOT NULL, "name" text NOT NULL, "email" text NOT NULL, "kind" text NOT NULL DEFAULT \'administrative\', "receives_alerts" boolean NOT NULL DEFAULT true, "receives_digest" boolean NOT NULL DEFAULT true, CONSTRAINT "PK_95e22ff9c8e5e7a78850eb35e7e" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_district_contacts_district" ON "district_contacts" ("district_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "snapshots" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "district_id" uuid NOT NULL, "link_id" uuid NOT NULL, "run_id" uuid, "sis_kind" text NOT NULL, "school_year" integer NOT NULL, "as_of" date NOT NULL, "status" text NOT NULL DEFAULT \'extracting\', "report" jsonb NOT NULL DEFAULT \'{}\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_f5661b5fd4224d23e26a631986b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_snapshots_district" ON "snapshots" ("district_id") ');
    await queryRunner.query(
      'CREATE INDEX "ix_snapshots_link_created" ON "snapshots" ("link_id", "created_at") ',
    );
    await queryRunner.query(
      'ALTER TABLE "users" ADD CONSTRAINT "FK_efc03fc2a5902ef17fb8a2bdcc2" FOREIGN KEY ("district_id") REFERENCES "districts"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "api_tokens" ADD CONSTRAINT "FK_b74883f5884a42fd8496d389b25" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "user_sessions" ADD CONSTRAINT "FK_e9658e959c490b0a634dfc54783" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "sis_links" ADD CONSTRAINT "FK_f59efb1775b9068b5fe6048196d" FOREIGN KEY ("district_id") REFERENCES "districts"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "code_crosswalks" ADD CONSTRAINT "FK_fd65e1b93eb417d8e61fecf7148" FOREIGN KEY ("link_id") REFERENCES "sis_links"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "district_contacts" ADD CONSTRAINT "FK_8e97b008a6351ca2504669007b8" FOREIGN KEY ("district_id") REFERENCES "districts"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "snapshots" ADD CONSTRAINT "FK_bfb481e4368b60d2d1b41161a0b" FOREIGN KEY ("district_id") REFERENCES "districts"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "snapshots" ADD CONSTRAINT "FK_ede7385db7da6ddca4cd0c0843a" FOREIGN KEY ("link_id") REFERENCES "sis_links"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "snapshots" DROP CONSTRAINT "FK_ede7385db7da6ddca4cd0c0843a"');
    await queryRunner.query('ALTER TABLE "snapshots" DROP CONSTRAINT "FK_bfb481e4368b60d2d1b41161a0b"');
    await queryRunner.query(
      'ALTER TABLE "district_contacts" DROP CONSTRAINT "FK_8e97b008a6351ca2504669007b8"',
    );
    await queryRunner.query('ALTER TABLE "code_crosswalks" DROP CONSTRAINT "FK_fd65e1b93eb417d8e61fecf7148"');
    await queryRunner.query('ALTER TABLE "sis_links" DROP CONSTRAINT "FK_f59efb1775b9068b5fe6048196d"');
    await queryRunner.query('ALTER TABLE "user_sessions" DROP CONSTRAINT "FK_e9658e959c490b0a634dfc54783"');
    await queryRunner.query('ALTER TABLE "api_tokens" DROP CONSTRAINT "FK_b74883f5884a42fd8496d389b25"');
    await queryRunner.query('ALTER TABLE "users" DROP CONSTRAINT "FK_efc03fc2a5902ef17fb8a2bdcc2"');
    await queryRunner.query('DROP INDEX "public"."ix_snapshots_link_created"');
    await queryRunner.query('DROP INDEX "public"."ix_snapshots_district"');
    await queryRunner.query('DROP TABLE "snapshots"');
    await queryRunner.query('DROP INDEX "public"."ix_district_contacts_district"');
    await queryRunner.query('DROP TABLE "district_contacts"');
    await queryRunner.query('DROP INDEX "public"."ux_code_crosswalks_entry"');
    await queryRunner.query('DROP INDEX "public"."ix_code_crosswalks_district"');
    await queryRunner.query('DROP TABLE "code_crosswalks"');
    await queryRunner.query('DROP INDEX "public"."ux_sis_links_district_role"');
    await queryRunner.query('DROP TABLE "sis_links"');
    await queryRunner.query('DROP INDEX "public"."ux_user_sessions_token"');
    await queryRunner.query('DROP INDEX "public"."ix_user_sessions_user"');
    await queryRunner.query('DROP TABLE "user_sessions"');
    await queryRunner.query('DROP INDEX "public"."ux_api_tokens_hash"');
    await queryRunner.query('DROP INDEX "public"."ix_api_tokens_user"');
    await queryRunner.query('DROP TABLE "api_tokens"');
    await queryRunner.query('DROP INDEX "public"."ix_users_district"');
    await queryRunner.query('DROP INDEX "public"."ux_users_email"');
    await queryRunner.query('DROP TABLE "users"');
    await queryRunner.query('DROP INDEX "public"."ix_districts_state"');
    await queryRunner.query('DROP TABLE "districts"');
  }
}
