import { loadSqlParser } from 'src/rule-engine/compiler/sql-parser.util';

beforeAll(() => loadSqlParser());
