/** Express's `trust proxy` value for TRUST_PROXY (validated by HttpEnv): false, a hop count, or a list. */
export function trustProxySetting(value: string): false | number | string[] {
  const v = value.trim().toLowerCase();
  if (v === 'false' || v === '') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
