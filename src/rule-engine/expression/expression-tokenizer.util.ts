import { ExpressionError } from 'src/rule-engine/rule-engine.exception';
import type { Token } from 'src/rule-engine/expression/expression.types';

const DATE = /^\d{4}-\d{2}-\d{2}(?![\w-])/;
const NUMBER = /^\d+(\.\d+)?(?![\w.])/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPERATORS = ['<=', '>=', '!=', '<>', '=', '<', '>', '+', '-'];
const MAX_LENGTH = 2000;

/** Characters that only ever mean an attempt to leave the language; named so the error says why. */
const FORBIDDEN: Record<string, string> = {
  ';': "';' (statement separators are not allowed)",
  '"': 'double quotes (quoted identifiers are not allowed; strings use single quotes)',
  $: "'$' (parameters and dollar quoting are not allowed)",
  '\\': "'\\' (backslashes are not allowed outside strings)",
  ':': "':' (casts are not allowed)",
  '[': "'[' (array subscripts are not allowed)",
  '*': "'*' (not an operator of the language)",
  '/': "'/' (not an operator of the language)",
  '|': "'|' (not an operator of the language)",
  '%': "'%' (not an operator of the language)",
  '`': "'`' (not allowed)",
};

/** Splits an expression into tokens; rejects comments, statement separators and anything outside the grammar. */
export function tokenize(source: string): Token[] {
  if (source.length > MAX_LENGTH)
    throw new ExpressionError(`expression longer than ${MAX_LENGTH} characters`, source, MAX_LENGTH);
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const ch = source[i];
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (rest.startsWith('--') || rest.startsWith('/*'))
      throw new ExpressionError('comments are not allowed', source, i);
    if (ch === "'") {
      const { text, end } = readString(source, i);
      tokens.push({ kind: 'string', text, pos: i });
      i = end;
      continue;
    }
    const date = DATE.exec(rest);
    if (date) {
      tokens.push({ kind: 'date', text: date[0], pos: i });
      i += date[0].length;
      continue;
    }
    if (/\d/.test(ch)) {
      const num = NUMBER.exec(rest);
      if (!num)
        throw new ExpressionError(`malformed number '${/^[\w.-]+/.exec(rest)?.[0] ?? ch}'`, source, i);
      tokens.push({ kind: 'number', text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const ident = IDENT.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    const single: Record<string, Token['kind']> = { '(': 'lparen', ')': 'rparen', ',': 'comma', '.': 'dot' };
    if (single[ch]) {
      tokens.push({ kind: single[ch], text: ch, pos: i });
      i += 1;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (op) {
      tokens.push({ kind: 'op', text: op, pos: i });
      i += op.length;
      continue;
    }
    throw new ExpressionError(`unexpected ${FORBIDDEN[ch] ?? `character '${ch}'`}`, source, i);
  }
  tokens.push({ kind: 'eof', text: '', pos: source.length });
  return tokens;
}

/** A single-quoted string; '' is an escaped quote. The value is bound as a parameter, never pasted. */
function readString(source: string, start: number): { text: string; end: number } {
  let i = start + 1;
  let text = '';
  while (i < source.length) {
    if (source[i] === "'") {
      if (source[i + 1] === "'") {
        text += "'";
        i += 2;
        continue;
      }
      return { text, end: i + 1 };
    }
    text += source[i];
    i += 1;
  }
  throw new ExpressionError('unterminated string', source, start);
}
