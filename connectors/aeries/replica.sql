-- Aeries SIS native tables (SQL Server), replicated in PostgreSQL for tests, the demo and the benchmark.
-- Aeries keeps ONE DATABASE PER SCHOOL YEAR: this replica is the year database of the generated year.
-- Identifiers are unquoted so the same portable extract SQL runs on SQL Server and on this replica.
-- Type mapping: smallint/int → smallint/int, varchar → varchar, datetime → timestamp(3), bit/tinyint DEL → smallint.
-- Most tables carry the soft-delete flag DEL (0 = live row); every extract filters DEL = 0.
-- Primary keys are omitted on purpose: a soft-deleted row may share its natural key with a live one.

-- Schools. CC+DC+SC = the 14-digit CA CDS code. TG non-blank = inactive school. DNR non-blank = "do not report"
-- (excluded from state reporting, not closed); CD 999 = the district pseudo-school, never reported.
CREATE TABLE LOC (
  CD smallint NOT NULL,
  NM varchar(30),
  SNM varchar(15),
  CC varchar(2),
  DC varchar(5),
  SC varchar(7),
  LO smallint,
  HI smallint,
  TG varchar(1) NOT NULL DEFAULT '',
  DNR varchar(1) NOT NULL DEFAULT '',
  DEL smallint NOT NULL DEFAULT 0
);
CREATE INDEX ix_loc_cd ON LOC (CD);

-- Students: one row per student per school (key SC, SN); ID (district permanent id) repeats across schools.
-- TG: '' active, '*' pre-enrolled, other codes = inactive (district drop tags).
CREATE TABLE STU (
  ID int,
  SC smallint NOT NULL,
  SN int NOT NULL,
  LN varchar(25),
  FN varchar(15),
  MN varchar(15),
  BD timestamp(3),
  GR smallint,
  SX varchar(1),
  GN varchar(1),
  CID varchar(10),
  ED timestamp(3),
  LD timestamp(3),
  DD timestamp(3),
  TG varchar(1) NOT NULL DEFAULT '',
  ETH varchar(1),
  RC1 varchar(3),
  RC2 varchar(3),
  RC3 varchar(3),
  RC4 varchar(3),
  RC5 varchar(3),
  LF varchar(1),
  HL varchar(2),
  DEL smallint NOT NULL DEFAULT 0
);
CREATE INDEX ix_stu_sc_sn ON STU (SC, SN);
CREATE INDEX ix_stu_id ON STU (ID);

-- Enrollment history. YR = 4-digit start year of the academic year; LD inclusive (last day attended);
-- ER = exit reason (CALPADS exit codes as Aeries stores them: 160, 165, 470 or E155 …).
CREATE TABLE ENR (
  ID int,
  SC smallint NOT NULL,
  YR smallint NOT NULL,
  GR smallint,
  ED timestamp(3),
  LD timestamp(3),
  ER varchar(4),
  IT varchar(1),
  TR varchar(1),
  DEL smallint NOT NULL DEFAULT 0
);
CREATE INDEX ix_enr_id ON ENR (ID, SC);

-- Program participation: CD = CA program code (144 SPED, 181 free meal, 191 homeless, 300–307 LIP …).
CREATE TABLE PGM (
  PID int,
  CD varchar(3),
  ESD timestamp(3),
  EED timestamp(3),
  PSD timestamp(3),
  PED timestamp(3),
  DEL smallint NOT NULL DEFAULT 0
);
CREATE INDEX ix_pgm_pid ON PGM (PID);

-- Special education (SPED → CALPADS program 144): ED entry date, XD exit date. [L] columns per the county's validations.
CREATE TABLE CSE (
  ID int,
  ED timestamp(3),
  XD timestamp(3),
  DI varchar(3),
  DEL smallint NOT NULL DEFAULT 0
);
CREATE INDEX ix_cse_id ON CSE (ID);

-- Section 504 plans (→ program 101): SD start, ED end. [L]
CREATE TABLE FOF (
  ID int,
  SD timestamp(3),
  ED timestamp(3),
  DEL smallint NOT NULL DEFAULT 0
);
CREATE INDEX ix_fof_id ON FOF (ID);

-- Free/reduced meal eligibility: CD F free (→ 181), R reduced (→ 182); SD start, ED end. [L]
CREATE TABLE FRE (
  ID int,
  CD varchar(1),
  SD timestamp(3),
  ED timestamp(3),
  DEL smallint NOT NULL DEFAULT 0
);
CREATE INDEX ix_fre_id ON FRE (ID);

-- Language acquisition: ELAS = English Language Acquisition Status (EO, IFEP, EL, RFEP, TBD), ESD = its start date
-- (CALPADS SELA); the row with the latest ESD is current. [L]
CREATE TABLE LAC (
  ID int,
  ELAS varchar(4),
  ESD timestamp(3),
  DEL smallint NOT NULL DEFAULT 0
);
CREATE INDEX ix_lac_id ON LAC (ID);

-- District course catalog: CN course number, CO title, C3 CA state course code.
CREATE TABLE CRS (
  CN varchar(6) NOT NULL,
  CO varchar(30),
  C3 varchar(4),
  DEL smallint NOT NULL DEFAULT 0
);

-- Master schedule: one row per section (SC, SE); TN = teacher number within the school (TCH), ST = status flag.
CREATE TABLE MST (
  SC smallint NOT NULL,
  SE smallint NOT NULL,
  CN varchar(6),
  TN smallint,
  PD smallint,
  ST varchar(1) NOT NULL DEFAULT '',
  DEL smallint NOT NULL DEFAULT 0
);
CREATE INDEX ix_mst_sc_se ON MST (SC, SE);

-- Student schedule: (SC, SN) student at the school, SE section.
CREATE TABLE SEC (
  SC smallint NOT NULL,
  SN int NOT NULL,
  SE smallint NOT NULL,
  DEL smallint NOT NULL DEFAULT 0
);
CREATE INDEX ix_sec_sc_sn ON SEC (SC, SN);

-- Class history with dates: (SC, SN) student, SE section, DS start, DE end (null = still in the class). SEC is the
-- live schedule; a class the student left stays here with its DE.
CREATE TABLE CAR (
  SC smallint NOT NULL,
  SN int NOT NULL,
  SE smallint NOT NULL,
  DS timestamp(3),
  DE timestamp(3),
  DEL smallint NOT NULL DEFAULT 0
);
CREATE INDEX ix_car_sc_sn ON CAR (SC, SN);

-- Per-school teacher record: TN teacher number, ID district staff id (STF.ID; 0 = not linked).
CREATE TABLE TCH (
  SC smallint NOT NULL,
  TN smallint NOT NULL,
  ID int,
  TLN varchar(25),
  TF varchar(15),
  EM varchar(60),
  DEL smallint NOT NULL DEFAULT 0
);
CREATE INDEX ix_tch_sc_tn ON TCH (SC, TN);

-- District staff: SID = state educator id (CA SEID).
CREATE TABLE STF (
  ID int NOT NULL,
  LN varchar(25),
  FN varchar(15),
  SID varchar(10),
  EM varchar(60),
  DEL smallint NOT NULL DEFAULT 0
);

-- Code table: TC table, FC field, CD code, DE description, AC internal value, TG non-blank = inactive code.
CREATE TABLE COD (
  TC varchar(3) NOT NULL,
  FC varchar(3) NOT NULL,
  CD varchar(6) NOT NULL,
  DE varchar(40),
  AC varchar(6),
  TG varchar(1) NOT NULL DEFAULT '',
  DEL smallint NOT NULL DEFAULT 0
);
