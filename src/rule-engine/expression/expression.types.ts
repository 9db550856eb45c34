/** AST of the rule expression language (docs/rule-format.md §Expression language). `pos` = offset in the source. */
export const FUNCTIONS = [
  'age_on',
  'year',
  'month',
  'days_between',
  'length',
  'upper',
  'lower',
  'trim',
  'coalesce',
  'cardinality',
  'school_year_start',
] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export type CompareOperator = '=' | '!=' | '<>' | '<' | '<=' | '>' | '>=';

export type LiteralValue =
  | { type: 'int'; value: number }
  | { type: 'numeric'; value: number }
  | { type: 'text'; value: string }
  | { type: 'date'; value: string }
  | { type: 'bool'; value: boolean }
  | { type: 'null' };

export type Expr =
  | { kind: 'literal'; literal: LiteralValue; pos: number }
  | { kind: 'days'; amount: number; pos: number }
  | { kind: 'context'; name: 'today' | 'as_of'; pos: number }
  | { kind: 'field'; qualifier: string | null; name: string; pos: number }
  | { kind: 'call'; name: FunctionName; args: Expr[]; pos: number }
  | { kind: 'arith'; op: '+' | '-'; left: Expr; right: Expr; pos: number }
  | { kind: 'compare'; op: CompareOperator; left: Expr; right: Expr; pos: number }
  | { kind: 'logical'; op: 'and' | 'or'; left: Expr; right: Expr; pos: number }
  | { kind: 'not'; operand: Expr; pos: number }
  | { kind: 'is_null'; operand: Expr; negated: boolean; pos: number }
  | { kind: 'in'; operand: Expr; values: Expr[]; negated: boolean; pos: number }
  | { kind: 'between'; operand: Expr; low: Expr; high: Expr; negated: boolean; pos: number }
  | { kind: 'like'; operand: Expr; pattern: string; negated: boolean; pos: number }
  | { kind: 'matches'; operand: Expr; pattern: string; pos: number };

export type TokenKind =
  'number' | 'string' | 'date' | 'ident' | 'op' | 'lparen' | 'rparen' | 'comma' | 'dot' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
}
