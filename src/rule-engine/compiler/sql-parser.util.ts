import { loadModule, parseSync } from 'libpg-query';

let loading: Promise<void> | null = null;
let loaded = false;

/**
 * Loads the real PostgreSQL parser (libpg-query, WebAssembly). Idempotent; every entry point that compiles rules
 * awaits it once (the rule loader's provider, the CLI, the test setup) so the guard can parse synchronously.
 */
export function loadSqlParser(): Promise<void> {
  loading ??= loadModule().then(() => {
    loaded = true;
  });
  return loading;
}

// Started at import, so a caller that forgot to await it finds the parser ready a few milliseconds later.
void loadSqlParser().catch(() => undefined);

export function sqlParserLoaded(): boolean {
  return loaded;
}

/** The parse tree of `sql` as PostgreSQL's own grammar sees it; throws the parser's error on bad syntax. */
export function parseSql(sql: string): unknown {
  return parseSync(sql);
}
