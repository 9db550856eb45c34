/** Positional parameters for a statement built in pieces: `p.add(v)` returns its `$n`. */
export class Params {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
