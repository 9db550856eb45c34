-- PowerSchool SIS native tables (Oracle), replicated in PostgreSQL for tests, the demo and the benchmark.
-- Identifiers are unquoted (Oracle folds them to upper case, PostgreSQL to lower case) so the same extract SQL
-- runs on both. Type mapping: NUMBER → numeric, VARCHAR2 → varchar, DATE → date.
-- TEACHERS is a view over USERS + SCHOOLSTAFF in PowerSchool; the replica stands it in as a table.
-- TRANSACTION_DATE: PowerSchool stamps every insert and update of a row (Oracle DATE, server local time); the
-- replica does it with a default and the trigger at the end. Incremental extraction selects by it.

-- State_ExcludeFromReporting = 1: "do not report this school to the state" (not closure: SCHOOLS has no closed
-- flag). School_Number 999999 is PowerSchool's "Graduated Students" school (graduates are parked there, grade 99).
CREATE TABLE SCHOOLS (
  ID numeric(10) NOT NULL,
  DCID numeric(10) NOT NULL,
  School_Number numeric(10) NOT NULL,
  Name varchar(60),
  Abbreviation varchar(20),
  Low_Grade numeric(3),
  High_Grade numeric(3),
  Alternate_School_Number numeric(14),
  State_ExcludeFromReporting numeric(1) DEFAULT 0,
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (ID)
);

-- State_ExcludeFromReporting = 1: the student is not reported to the state (CA state extracts skip them).
-- Current enrollment lives on STUDENTS; ExitDate is EXCLUSIVE (day after the last day; = EntryDate for a no-show).
-- Enroll_Status: -1 pre-registered, 0 active, 1 inactive, 2 transferred out, 3 graduated, 4 historical.
CREATE TABLE STUDENTS (
  ID numeric(10) NOT NULL,
  DCID numeric(10) NOT NULL,
  Student_Number numeric(15),
  State_StudentNumber varchar(32),
  SSN varchar(11), -- Texas: the PEIMS STUDENT-ID (E0001); the TX Unique ID is State_StudentNumber
  Last_Name varchar(50),
  First_Name varchar(50),
  Middle_Name varchar(50),
  DOB date,
  Gender varchar(2),
  Grade_Level numeric(3),
  SchoolID numeric(10),
  Enroll_Status numeric(3),
  EntryDate date,
  ExitDate date,
  EntryCode varchar(10),
  ExitCode varchar(10),
  FedEthnicity numeric(2),
  FedRaceDecline numeric(1) DEFAULT 0,
  State_ExcludeFromReporting numeric(1) DEFAULT 0,
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (ID)
);
CREATE INDEX ix_students_number ON STUDENTS (Student_Number);

-- Every enrollment except the current one (end-of-year rollover, in-year transfers). ExitDate exclusive.
CREATE TABLE REENROLLMENTS (
  ID numeric(10) NOT NULL,
  DCID numeric(10) NOT NULL,
  StudentID numeric(10) NOT NULL,
  SchoolID numeric(10),
  EntryDate date,
  ExitDate date,
  EntryCode varchar(10),
  ExitCode varchar(10),
  Grade_Level numeric(3),
  ExitComment varchar(200),
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (ID)
);
CREATE INDEX ix_reenrollments_student ON REENROLLMENTS (StudentID);

-- Multiple races per student (CA: CALPADS race codes such as 700).
CREATE TABLE StudentRace (
  ID numeric(10) NOT NULL,
  DCID numeric(10) NOT NULL,
  StudentID numeric(10) NOT NULL,
  RaceCD varchar(10),
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (ID)
);
CREATE INDEX ix_studentrace_student ON StudentRace (StudentID);

-- Code lists: Cat = 'specprog' (special programs; Value = state program code), 'entrycodes', 'exitcodes' …
CREATE TABLE GEN (
  ID numeric(10) NOT NULL,
  DCID numeric(10) NOT NULL,
  Cat varchar(20),
  Name varchar(60),
  Value varchar(60),
  SchoolID numeric(10) DEFAULT 0,
  YearID numeric(4) DEFAULT 0,
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (ID)
);

-- Special program enrollments: ProgramID → GEN(Cat = 'specprog').ID.
CREATE TABLE SPENROLLMENTS (
  ID numeric(10) NOT NULL,
  DCID numeric(10) NOT NULL,
  StudentID numeric(10) NOT NULL,
  ProgramID numeric(10),
  SchoolID numeric(10),
  Enter_Date date,
  Exit_Date date,
  ExitCode varchar(10),
  GradeLevel numeric(3),
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (ID)
);
CREATE INDEX ix_spenrollments_student ON SPENROLLMENTS (StudentID);

-- Terms: ID = TermID (first two digits = YearID), academic start year = YearID + 1990; one IsYearRec row per school-year.
CREATE TABLE TERMS (
  ID numeric(10) NOT NULL,
  DCID numeric(10) NOT NULL,
  YearID numeric(4) NOT NULL,
  SchoolID numeric(10) NOT NULL,
  Name varchar(30),
  Abbreviation varchar(10),
  FirstDay date,
  LastDay date,
  IsYearRec numeric(1) DEFAULT 0,
  Portion numeric(2),
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (ID, SchoolID)
);

CREATE TABLE COURSES (
  ID numeric(10) NOT NULL,
  DCID numeric(10) NOT NULL,
  Course_Number varchar(11) NOT NULL,
  Course_Name varchar(40),
  Alt_Course_Number varchar(11),
  Credit_Hours numeric(6, 2),
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (ID)
);

-- Teacher = TEACHERS.ID (the SCHOOLSTAFF-level id).
CREATE TABLE SECTIONS (
  ID numeric(10) NOT NULL,
  DCID numeric(10) NOT NULL,
  Course_Number varchar(11),
  Section_Number varchar(10),
  TermID numeric(10),
  SchoolID numeric(10),
  Teacher numeric(10),
  Expression varchar(80),
  Attendance_Type_Code numeric(1) DEFAULT 0,
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (ID)
);

-- Role definitions (RoleCategory 'section': "Lead Teacher", "Co-teacher" …); SECTIONTEACHER.RoleID points here.
CREATE TABLE ROLEDEF (
  ID numeric(10) NOT NULL,
  DCID numeric(10) NOT NULL,
  Name varchar(60),
  RoleCategory varchar(20),
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (ID)
);

-- Every teacher of a section (lead and co-teachers): TeacherID = TEACHERS.ID, dates of the assignment. [L] inclusive.
CREATE TABLE SECTIONTEACHER (
  ID numeric(10) NOT NULL,
  DCID numeric(10) NOT NULL,
  SectionID numeric(10) NOT NULL,
  TeacherID numeric(10) NOT NULL,
  RoleID numeric(10),
  Start_Date date,
  End_Date date,
  Allocation numeric(5, 2),
  PriorityOrder numeric(3),
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (ID)
);
CREATE INDEX ix_sectionteacher_section ON SECTIONTEACHER (SectionID);

-- Student schedule. Dropped enrollments carry NEGATIVE SectionID and TermID; DateLeft is exclusive.
CREATE TABLE CC (
  ID numeric(10) NOT NULL,
  DCID numeric(10) NOT NULL,
  StudentID numeric(10) NOT NULL,
  SectionID numeric(10) NOT NULL,
  TermID numeric(10),
  SchoolID numeric(10),
  Course_Number varchar(11),
  Section_Number varchar(10),
  DateEnrolled date,
  DateLeft date,
  TeacherID numeric(10),
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (ID)
);
CREATE INDEX ix_cc_student ON CC (StudentID);

-- Stand-in for the TEACHERS view (USERS joined with SCHOOLSTAFF: one row per user per school).
CREATE TABLE TEACHERS (
  ID numeric(10) NOT NULL,
  DCID numeric(10) NOT NULL,
  Users_DCID numeric(10),
  SchoolID numeric(10),
  TeacherNumber varchar(20),
  Last_Name varchar(50),
  First_Name varchar(50),
  Email_Addr varchar(100),
  SIF_StatePrid varchar(32),
  Status numeric(1) DEFAULT 1,
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (ID)
);

-- Custom fields of users (staff) as PowerSchool 9+ keeps them: the legacy custom fields migrated into the
-- database extension U_DEF_EXT_USERS, one row per USERS.DCID (TEACHERS.Users_DCID), a column per field. California
-- districts keep the staff SEID there as the custom field CA_SEID, which state extracts read with
-- ps_customfields.getcf('teachers', id, 'CA_SEID'); SIF_StatePrid is often blank. Which extension table holds
-- CA_SEID in a given district (USERS-level here, as an SEID is one per person) is [L].
CREATE TABLE U_DEF_EXT_USERS (
  UsersDCID numeric(10) NOT NULL,
  CA_SEID varchar(10),
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (UsersDCID)
);

-- California state extension (one row per STUDENTS.DCID). ELAStatus holds the CALPADS ELAS code
-- (EO, EL, RFEP, IFEP, TBD); the column name follows the CA extension but is unverified against a live district.
CREATE TABLE S_CA_STU_X (
  StudentsDCID numeric(10) NOT NULL,
  ELAStatus varchar(4),
  PrimaryLanguage varchar(2),
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (StudentsDCID)
);

-- California CALPADS program records (SPED 144, 504 101, meals 181/182 …): ProgramCode is the CALPADS code,
-- StartDate / EndDate (inclusive [L]), per STUDENTS.DCID and school.
CREATE TABLE S_CA_STU_CALPADSPROGRAMS_C (
  ID numeric(10) NOT NULL,
  StudentsDCID numeric(10) NOT NULL,
  SchoolID numeric(10),
  ProgramCode varchar(10),
  StartDate date,
  EndDate date,
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (ID)
);
CREATE INDEX ix_s_ca_stu_calpadsprograms_c_student ON S_CA_STU_CALPADSPROGRAMS_C (StudentsDCID);

-- California English Language Acquisition history (one row per status, per STUDENTS.DCID): ELAStatus with its
-- start and end date; the row with the latest ELAStatusStartDate is current (CALPADS SELA, CERT106).
CREATE TABLE S_CA_STU_ELA_C (
  ID numeric(10) NOT NULL,
  StudentsDCID numeric(10) NOT NULL,
  ELAStatus varchar(4),
  ELAStatusStartDate date,
  ELAStatusEndDate date,
  PrimaryLanguage varchar(2),
  TRANSACTION_DATE timestamp NOT NULL DEFAULT LOCALTIMESTAMP,
  PRIMARY KEY (ID)
);
CREATE INDEX ix_s_ca_stu_ela_c_student ON S_CA_STU_ELA_C (StudentsDCID);

-- PowerSchool sets TRANSACTION_DATE on every update; so does the replica.
CREATE OR REPLACE FUNCTION ps_touch_transaction_date() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.TRANSACTION_DATE := LOCALTIMESTAMP;
  RETURN NEW;
END
$$;
CREATE TRIGGER schools_touch BEFORE UPDATE ON SCHOOLS FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
CREATE TRIGGER students_touch BEFORE UPDATE ON STUDENTS FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
CREATE TRIGGER reenrollments_touch BEFORE UPDATE ON REENROLLMENTS FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
CREATE TRIGGER studentrace_touch BEFORE UPDATE ON StudentRace FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
CREATE TRIGGER gen_touch BEFORE UPDATE ON GEN FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
CREATE TRIGGER spenrollments_touch BEFORE UPDATE ON SPENROLLMENTS FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
CREATE TRIGGER terms_touch BEFORE UPDATE ON TERMS FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
CREATE TRIGGER courses_touch BEFORE UPDATE ON COURSES FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
CREATE TRIGGER sections_touch BEFORE UPDATE ON SECTIONS FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
CREATE TRIGGER cc_touch BEFORE UPDATE ON CC FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
CREATE TRIGGER teachers_touch BEFORE UPDATE ON TEACHERS FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
CREATE TRIGGER s_ca_stu_x_touch BEFORE UPDATE ON S_CA_STU_X FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
CREATE TRIGGER s_ca_stu_ela_c_touch BEFORE UPDATE ON S_CA_STU_ELA_C FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
CREATE TRIGGER roledef_touch BEFORE UPDATE ON ROLEDEF FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
CREATE TRIGGER sectionteacher_touch BEFORE UPDATE ON SECTIONTEACHER FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
CREATE TRIGGER s_ca_stu_calpadsprograms_c_touch BEFORE UPDATE ON S_CA_STU_CALPADSPROGRAMS_C FOR EACH ROW EXECUTE FUNCTION ps_touch_transaction_date();
