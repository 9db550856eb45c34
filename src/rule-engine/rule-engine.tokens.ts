/** Injection token for the `SqlRunner` the rule engine's repositories use. */
export const RULE_ENGINE_SQL = Symbol('RULE_ENGINE_SQL');
