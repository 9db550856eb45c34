import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Injectable } from '@nestjs/common';
import { parse, YAMLParseError } from 'yaml';
import { projectPath, projectRoot } from 'src/common/paths.util';
import { CODE_SETS_DIR } from 'src/rule-engine/code-sets.util';
import { validatePackHeader, validateRule } from 'src/rule-engine/rule-validator.util';
import type { LoadedRulePacks, Rule, RuleLoadError, RulePackInfo } from 'src/rule-engine/rule.types';

function yamlFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const full = join(dir, name);
    // Code tables (rules/code-sets) are read by the code-set loader, not as packs.
    if (statSync(full).isDirectory()) return name === CODE_SETS_DIR ? [] : yamlFiles(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}

function displayPath(file: string): string {
  const rel = relative(projectRoot(), file);
  return rel.startsWith('..') ? file : rel;
}

/** Parses one pack file; returns its rules and every problem found (a bad rule is skipped, the others load). */
export function loadRulePackFile(file: string): {
  pack: RulePackInfo | null;
  rules: Rule[];
  errors: RuleLoadError[];
} {
  const shown = displayPath(file);
  const fileError = (message: string): { pack: null; rules: Rule[]; errors: RuleLoadError[] } => ({
    pack: null,
    rules: [],
    errors: [{ file: shown, ruleId: null, path: null, message }],
  });
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'), { schema: 'core', uniqueKeys: true, prettyErrors: true });
  } catch (err) {
    if (err instanceof YAMLParseError) return fileError(`YAML: ${err.message.split('\n')[0]}`);
    throw err;
  }
  const header = validatePackHeader(doc);
  if (!header.ok) {
    return {
      pack: null,
      rules: [],
      errors: header.issues.map((i) => ({ file: shown, ruleId: null, path: i.path, message: i.message })),
    };
  }
  const rules: Rule[] = [];
  const errors: RuleLoadError[] = [];
  header.rules.forEach((raw) => {
    const res = validateRule(raw, header.pack, shown, header.scope);
    if (res.rule) rules.push(res.rule);
    errors.push(...res.errors);
  });
  return {
    pack: { pack: header.pack, title: header.title, file: shown, ruleIds: rules.map((r) => r.id) },
    rules,
    errors,
  };
}

/** Loads every `**\/*.yaml` under `dir` (default: the project's rules/); rule ids must be unique across packs. */
export function loadRulePacks(dir: string = projectPath('rules')): LoadedRulePacks {
  const packs: RulePackInfo[] = [];
  const rules: Rule[] = [];
  const errors: RuleLoadError[] = [];
  const seen = new Map<string, string>();
  for (const file of yamlFiles(dir)) {
    const res = loadRulePackFile(file);
    errors.push(...res.errors);
    const kept = res.rules.filter((r) => {
      const first = seen.get(r.id);
      if (first) {
        errors.push({
          file: r.file,
          ruleId: r.id,
          path: 'id',
          message: `duplicate rule id (already defined in ${first})`,
        });
        return false;
      }
      seen.set(r.id, r.file);
      return true;
    });
    rules.push(...kept);
    if (res.pack) packs.push({ ...res.pack, ruleIds: kept.map((r) => r.id) });
  }
  return { packs, rules, errors };
}

@Injectable()
export class RuleLoaderService {
  private cache?: LoadedRulePacks;

  constructor(private readonly dir: string = projectPath('rules')) {}

  /** The packs, loaded once per process (`reload()` re-reads them, e.g. after editing a pack in development). */
  load(): LoadedRulePacks {
    this.cache ??= loadRulePacks(this.dir);
    return this.cache;
  }

  reload(): LoadedRulePacks {
    this.cache = undefined;
    return this.load();
  }
}
