/** One school of a state's public school directory, as stored in state_school_directory. */
export interface DirectorySchool {
  /** The code the state's collections use for the school: CA the 7-digit CDS school code, TX the 9-digit campus id. */
  schoolCode: string;
  /** The full code of the directory (CA: 14-digit county-district-school CDS code). */
  fullCode: string | null;
  name: string;
  districtName: string | null;
  status: 'open' | 'closed';
  /** Canonical grade codes (connectors/sdk/canonical.ts CANONICAL_GRADES); null when the directory has none. */
  lowGrade: string | null;
  highGrade: string | null;
  schoolType: string | null;
  openDate: string | null;
  closedDate: string | null;
}

/** A line of the file that could not be loaded (the others are). */
export interface DirectoryProblem {
  line: number;
  message: string;
}

export interface DirectoryParseResult {
  schools: DirectorySchool[];
  problems: DirectoryProblem[];
}

/** A directory file format: the state it belongs to and its parser. */
export interface DirectoryFormat {
  state: string;
  title: string;
  parse(text: string): DirectoryParseResult;
}

export interface DirectoryLoadReport {
  state: string;
  format: string;
  sourceFile: string;
  rowsLoaded: number;
  rowsRejected: number;
  problems: DirectoryProblem[];
}
