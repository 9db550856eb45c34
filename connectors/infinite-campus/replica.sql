-- Infinite Campus native tables (SQL Server), replicated in PostgreSQL for tests, the demo and the benchmark.
-- Identifiers are unquoted so the portable extract SQL runs unchanged on the replica.
-- NOTE: `Identity` is a reserved word on SQL Server: there the table is written [Identity]; the connector's mssql
-- query variants bracket it. PostgreSQL accepts it unquoted (non-reserved keyword).
-- Type mapping: int → int, varchar → varchar, smalldatetime/datetime → timestamp(3), bit → smallint (keeps `= 1` portable).
-- Tables/columns marked [L] are inferred from public state-extract scripts, not verified against a vendor dictionary.

CREATE TABLE School (
  schoolID int NOT NULL,
  districtID int,
  number varchar(10),
  name varchar(60),
  standardCode varchar(14), -- state school code (CA: 14-digit CDS) [L]
  PRIMARY KEY (schoolID)
);

-- One calendar per school per year; endYear = year the school year ends (2027 for 2026-27). exclude = 1: not reported.
CREATE TABLE Calendar (
  calendarID int NOT NULL,
  schoolID int NOT NULL,
  endYear smallint NOT NULL,
  name varchar(50),
  startDate timestamp(3),
  endDate timestamp(3),
  summerSchool smallint NOT NULL DEFAULT 0,
  exclude smallint NOT NULL DEFAULT 0,
  PRIMARY KEY (calendarID)
);

-- Instructional days of a calendar; the last Day with instruction = 1 is the calendar's last instructional day.
CREATE TABLE Day (
  dayID int NOT NULL,
  calendarID int NOT NULL,
  date timestamp(3) NOT NULL,
  instruction smallint NOT NULL DEFAULT 1,
  PRIMARY KEY (dayID)
);
CREATE INDEX ix_day_calendar ON Day (calendarID);

-- Grade levels of a calendar: name is the local grade name Enrollment.grade holds, stateGrade the state's code
-- (CA: TK, KG, 01 …; TX C050: EE, PK, KG, 01 …).
CREATE TABLE GradeLevel (
  gradeLevelID int NOT NULL,
  calendarID int NOT NULL,
  name varchar(4) NOT NULL,
  stateGrade varchar(4),
  PRIMARY KEY (gradeLevelID)
);

-- Schedule trials of a calendar: scheduling drafts; only the active trial's sections and rosters are the schedule.
CREATE TABLE Trial (
  trialID int NOT NULL,
  calendarID int NOT NULL,
  name varchar(50),
  active smallint NOT NULL DEFAULT 0,
  PRIMARY KEY (trialID)
);

-- People: students (studentNumber, stateID) and staff (staffNumber, staffStateID) alike.
CREATE TABLE Person (
  personID int NOT NULL,
  studentNumber varchar(15),
  stateID varchar(15),
  staffNumber varchar(15),
  staffStateID varchar(15),
  currentIdentityID int,
  PRIMARY KEY (personID)
);

CREATE TABLE Identity (
  identityID int NOT NULL,
  personID int NOT NULL,
  lastName varchar(50),
  firstName varchar(50),
  middleName varchar(50),
  suffix varchar(10),
  birthdate timestamp(3),
  gender varchar(1),
  hispanicEthnicity varchar(1), -- Y/N [L]
  ssn varchar(9), -- Texas: the PEIMS STUDENT-ID (E0001), an SSN or a state-assigned 'S' number [L]
  PRIMARY KEY (identityID)
);

-- Races per identity [L]: RaceEthnicity.code holds the state race code (CA: 700 …).
CREATE TABLE RaceEthnicity (
  raceID int NOT NULL,
  code varchar(10),
  name varchar(60),
  PRIMARY KEY (raceID)
);
CREATE TABLE IdentityRaceEthnicity (
  identityID int NOT NULL,
  raceID int NOT NULL
);
CREATE INDEX ix_identityrace_identity ON IdentityRaceEthnicity (identityID);

-- Enrollment per calendar. endDate INCLUSIVE (last day in the enrollment). serviceType 'P' = primary,
-- 'S' = secondary, 'N' = special-ed services only. grade = the calendar's local grade-level name
-- (GradeLevel.name). stateExclude = 1: not reported to the state.
CREATE TABLE Enrollment (
  enrollmentID int NOT NULL,
  personID int,
  calendarID int NOT NULL,
  grade varchar(4),
  startDate timestamp(3),
  startStatus varchar(4),
  endDate timestamp(3),
  endStatus varchar(4),
  serviceType varchar(1),
  noShow smallint NOT NULL DEFAULT 0,
  stateExclude smallint NOT NULL DEFAULT 0,
  PRIMARY KEY (enrollmentID)
);
CREATE INDEX ix_enrollment_person ON Enrollment (personID);

-- Programs [L]: Program.code = state program code (144, 181, 191, 300–307 …).
CREATE TABLE Program (
  programID int NOT NULL,
  code varchar(10),
  name varchar(60),
  PRIMARY KEY (programID)
);
CREATE TABLE ProgramParticipation (
  participationID int NOT NULL,
  personID int NOT NULL,
  programID int NOT NULL,
  startDate timestamp(3),
  endDate timestamp(3),
  PRIMARY KEY (participationID)
);
CREATE INDEX ix_programparticipation_person ON ProgramParticipation (personID);

CREATE TABLE Course (
  courseID int NOT NULL,
  calendarID int NOT NULL,
  number varchar(13),
  name varchar(60),
  stateCode varchar(10),
  PRIMARY KEY (courseID)
);

CREATE TABLE Section (
  sectionID int NOT NULL,
  courseID int NOT NULL,
  number int,
  teacherPersonID int,
  trialID int NOT NULL,
  courseSequenceCode varchar(1), -- Texas COURSE-SEQUENCE-CODE (E0948, C134) [L]
  PRIMARY KEY (sectionID)
);

-- Roster: endDate inclusive, null while the student is in the section.
CREATE TABLE Roster (
  rosterID int NOT NULL,
  personID int NOT NULL,
  sectionID int NOT NULL,
  trialID int NOT NULL,
  startDate timestamp(3),
  endDate timestamp(3),
  PRIMARY KEY (rosterID)
);
CREATE INDEX ix_roster_person ON Roster (personID);

-- Staff e-mail [L].
CREATE TABLE Contact (
  personID int NOT NULL,
  email varchar(100),
  PRIMARY KEY (personID)
);
