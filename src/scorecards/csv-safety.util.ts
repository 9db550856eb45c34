/** Characters that make a spreadsheet read a cell as a formula (or DDE) when they start it. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell a spreadsheet shows as text: one starting with =, +, -, @, tab or CR gets a leading apostrophe. */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Every cell of a CSV record as neutralised text; null and undefined become empty cells, objects JSON. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return neutraliseCell(value);
  if (typeof value === 'number' || typeof value === 'boolean') return neutraliseCell(String(value));
  return neutraliseCell(JSON.stringify(value));
}
