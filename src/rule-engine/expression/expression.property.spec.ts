import fc from 'fast-check';
import { compileCondition, type ExprScope } from 'src/rule-engine/expression/expression-sql.util';
import { parseExpression } from 'src/rule-engine/expression/expression-parser.util';
import { ExpressionError } from 'src/rule-engine/rule-engine.exception';
import { SqlParams } from 'src/rule-engine/sql-params.util';

const scope = (): ExprScope => ({
  default: { entity: 'enrollment', alias: 't' },
  qualified: { enrollment: { entity: 'enrollment', alias: 't' } },
  reads: new Set(),
});

/** Fragments of the language, so generated sources get past the tokenizer and exercise the parser and compiler. */
const fragment = fc.constantFrom(
  'exit_date',
  'entry_date',
  'grade_level',
  'school_year',
  'is',
  'not',
  'null',
  'and',
  'or',
  '(',
  ')',
  '=',
  '<>',
  '<',
  '>=',
  'in',
  ',',
  "'KG'",
  '2025',
  "date '2026-01-01'",
  'today',
  'as_of',
  'length(',
  'coalesce(',
  'upper(',
  "'x''y'",
  '-',
  '+',
  '1.5',
  'matches',
  "'^[0-9]+$'",
  'nonexistent_field',
);
const source = fc.oneof(
  fc.string(),
  fc.array(fragment, { maxLength: 14 }).map((xs) => xs.join(' ')),
);

describe('the rule expression language under property-based input', () => {
  it('parses or refuses with a located ExpressionError — never another error', () => {
    fc.assert(
      fc.property(source, (src) => {
        try {
          parseExpression(src);
        } catch (err) {
          expect(err).toBeInstanceOf(ExpressionError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('compiles or refuses with an ExpressionError, and every literal becomes a bound parameter', () => {
    fc.assert(
      fc.property(
        source,
        fc.string({ minLength: 1 }).filter((s) => /^[A-Za-z]+$/.test(s)),
        (src, word) => {
          const withLiteral = `${src} or grade_level = '${word}'`;
          for (const s of [src, withLiteral]) {
            const params = new SqlParams();
            try {
              const sql = compileCondition(s, scope(), params);
              // A string literal never reaches the SQL text: it is a parameter.
              if (s === withLiteral) expect(sql).not.toContain(`'${word}'`);
            } catch (err) {
              expect(err).toBeInstanceOf(ExpressionError);
            }
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
