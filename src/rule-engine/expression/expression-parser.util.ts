import { ExpressionError } from 'src/rule-engine/rule-engine.exception';
import { codeSetCodes } from 'src/rule-engine/code-sets.util';
import { tokenize } from 'src/rule-engine/expression/expression-tokenizer.util';
import {
  FUNCTIONS,
  type CompareOperator,
  type Expr,
  type FunctionName,
  type Token,
} from 'src/rule-engine/expression/expression.types';

const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  'is',
  'null',
  'in',
  'between',
  'like',
  'matches',
  'true',
  'false',
  'today',
  'as_of',
  'days',
  'day',
]);
const COMPARE_OPS = new Set(['=', '!=', '<>', '<', '<=', '>', '>=']);
const MAX_DEPTH = 64;

/** Parses an expression into an AST (recursive descent over the grammar in docs/rule-format.md). */
export function parseExpression(source: string): Expr {
  return new Parser(source, tokenize(source)).parse();
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  parse(): Expr {
    if (this.peek().kind === 'eof') throw this.error('empty expression', this.peek());
    const e = this.or();
    const t = this.peek();
    if (t.kind !== 'eof') throw this.error(`unexpected '${t.text}' after a complete expression`, t);
    return e;
  }

  private or(): Expr {
    let left = this.and();
    while (this.isKeyword('or')) {
      const pos = this.next().pos;
      left = { kind: 'logical', op: 'or', left, right: this.and(), pos };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isKeyword('and')) {
      const pos = this.next().pos;
      left = { kind: 'logical', op: 'and', left, right: this.not(), pos };
    }
    return left;
  }

  private not(): Expr {
    if (this.isKeyword('not')) {
      const pos = this.next().pos;
      return this.nested(() => ({ kind: 'not', operand: this.not(), pos }));
    }
    return this.cmp();
  }

  private cmp(): Expr {
    const left = this.sum();
    const t = this.peek();
    if (t.kind === 'op' && COMPARE_OPS.has(t.text)) {
      this.next();
      return { kind: 'compare', op: t.text as CompareOperator, left, right: this.sum(), pos: t.pos };
    }
    if (this.isKeyword('is')) {
      this.next();
      const negated = this.isKeyword('not');
      if (negated) this.next();
      this.expectKeyword('null');
      return { kind: 'is_null', operand: left, negated, pos: t.pos };
    }
    if (this.isKeyword('matches')) {
      this.next();
      return { kind: 'matches', operand: left, pattern: this.expectString(), pos: t.pos };
    }
    const negated =
      this.isKeyword('not') && ['in', 'between', 'like'].includes(this.peek(1).text.toLowerCase());
    if (negated) this.next();
    if (this.isKeyword('in')) {
      const pos = this.next().pos;
      return { kind: 'in', operand: left, values: this.inList(), negated, pos };
    }
    if (this.isKeyword('between')) {
      this.next();
      const low = this.sum();
      this.expectKeyword('and');
      return { kind: 'between', operand: left, low, high: this.sum(), negated, pos: t.pos };
    }
    if (this.isKeyword('like')) {
      this.next();
      return { kind: 'like', operand: left, pattern: this.expectString(), negated, pos: t.pos };
    }
    return left;
  }

  /** `( literal, … )` or `code_set('NAME')` (a shipped state code table, rules/code-sets) after `in`. */
  private inList(): Expr[] {
    const t = this.peek();
    if (t.kind === 'ident' && t.text.toLowerCase() === 'code_set') {
      this.next();
      this.expect('lparen', "'(' after 'code_set'");
      const name = this.expectString();
      this.expect('rparen', "')' closing 'code_set'");
      const codes = codeSetCodes(name);
      if (!codes) throw this.error(`unknown code set '${name}' (rules/code-sets)`, t);
      return codes.map((value) => ({ kind: 'literal', literal: { type: 'text', value }, pos: t.pos }));
    }
    this.expect('lparen', "'(' after 'in'");
    const values: Expr[] = [this.literal()];
    while (this.peek().kind === 'comma') {
      this.next();
      values.push(this.literal());
    }
    this.expect('rparen', "')' closing the 'in' list");
    return values;
  }

  private literal(): Expr {
    const t = this.peek();
    const e = this.atom();
    if (e.kind !== 'literal' || e.literal.type === 'null')
      throw this.error(`'in' lists hold literals only, got '${t.text}'`, t);
    return e;
  }

  private sum(): Expr {
    let left = this.atom();
    for (let t = this.peek(); t.kind === 'op' && (t.text === '+' || t.text === '-'); t = this.peek()) {
      this.next();
      left = { kind: 'arith', op: t.text, left, right: this.atom(), pos: t.pos };
    }
    return left;
  }

  private atom(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return this.number(t, 1);
      case 'op':
        if (t.text === '-' && this.peek().kind === 'number') return this.number(this.next(), -1);
        throw this.error(`unexpected '${t.text}'`, t);
      case 'string':
        return { kind: 'literal', literal: { type: 'text', value: t.text }, pos: t.pos };
      case 'date':
        return { kind: 'literal', literal: { type: 'date', value: checkDate(t, this.source) }, pos: t.pos };
      case 'lparen': {
        const e = this.nested(() => this.or());
        this.expect('rparen', "')'");
        return e;
      }
      case 'ident':
        return this.identifier(t);
      case 'rparen':
      case 'comma':
      case 'dot':
      case 'eof':
        throw this.error(t.kind === 'eof' ? 'unexpected end of expression' : `unexpected '${t.text}'`, t);
    }
  }

  private number(t: Token, sign: 1 | -1): Expr {
    const value = sign * Number(t.text);
    if (this.isKeyword('days') || this.isKeyword('day')) {
      this.next();
      if (!Number.isInteger(value)) throw this.error('days must be a whole number', t);
      return { kind: 'days', amount: value, pos: t.pos };
    }
    const type = Number.isInteger(value) && Math.abs(value) <= 2147483647 ? 'int' : 'numeric';
    return { kind: 'literal', literal: { type, value }, pos: t.pos };
  }

  private identifier(t: Token): Expr {
    const word = t.text.toLowerCase();
    if (word === 'true' || word === 'false')
      return { kind: 'literal', literal: { type: 'bool', value: word === 'true' }, pos: t.pos };
    if (word === 'null') return { kind: 'literal', literal: { type: 'null' }, pos: t.pos };
    if (word === 'today' || word === 'as_of') return { kind: 'context', name: word, pos: t.pos };
    if (KEYWORDS.has(word)) throw this.error(`unexpected keyword '${t.text}'`, t);
    if (this.peek().kind === 'lparen') return this.call(t);
    if (this.peek().kind === 'dot') {
      this.next();
      const field = this.next();
      if (field.kind !== 'ident') throw this.error(`expected a field name after '${t.text}.'`, field);
      if (this.peek().kind === 'dot' || this.peek().kind === 'lparen')
        throw this.error(`unexpected '${this.peek().text}'`, this.peek());
      return { kind: 'field', qualifier: t.text, name: field.text, pos: t.pos };
    }
    return { kind: 'field', qualifier: null, name: t.text, pos: t.pos };
  }

  private call(t: Token): Expr {
    const name = t.text.toLowerCase();
    if (!(FUNCTIONS as readonly string[]).includes(name)) {
      throw this.error(`unknown function '${t.text}' (allowed: ${FUNCTIONS.join(', ')})`, t);
    }
    this.next();
    const args: Expr[] = [];
    if (this.peek().kind !== 'rparen') {
      args.push(this.nested(() => this.or()));
      while (this.peek().kind === 'comma') {
        this.next();
        args.push(this.nested(() => this.or()));
      }
    }
    this.expect('rparen', `')' closing ${name}(`);
    return { kind: 'call', name: name as FunctionName, args, pos: t.pos };
  }

  private nested<T>(fn: () => T): T {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) throw this.error('expression nested too deeply', this.peek());
    try {
      return fn();
    } finally {
      this.depth -= 1;
    }
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i += 1;
    return t;
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text.toLowerCase() === word;
  }

  private expectKeyword(word: string): void {
    if (!this.isKeyword(word))
      throw this.error(`expected '${word}', got '${this.peek().text || 'end of expression'}'`, this.peek());
    this.next();
  }

  private expect(kind: Token['kind'], what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) throw this.error(`expected ${what}, got '${t.text || 'end of expression'}'`, t);
    return this.next();
  }

  private expectString(): string {
    const t = this.peek();
    if (t.kind !== 'string')
      throw this.error(`expected a quoted string, got '${t.text || 'end of expression'}'`, t);
    this.next();
    return t.text;
  }

  private error(message: string, t: Token): ExpressionError {
    return new ExpressionError(message, this.source, t.pos);
  }
}

function checkDate(t: Token, source: string): string {
  const d = new Date(`${t.text}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== t.text) {
    throw new ExpressionError(`invalid date '${t.text}'`, source, t.pos);
  }
  return t.text;
}
