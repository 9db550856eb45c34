import { DomainException } from 'src/common/domain.exception';

/** The value at `key`, which the caller knows is there; a missing one is a bug and throws instead of going on with a made-up value. */
export function mustGet<K, V>(map: ReadonlyMap<K, V>, key: K, what: string): V {
  const value = map.get(key);
  if (value === undefined) throw DomainException.invariant(`no ${what} for ${String(key)}`);
  return value;
}
