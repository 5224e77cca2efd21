/** Option helpers: yargs turns `--seed abc` into NaN silently, so every number is checked. */
import { UsageError } from './output.ts';
import { parseNumberish } from '../scenario/numberish.ts';

export function intOption(name: string, v: unknown, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : parseNumberish(String(v));
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} expects a whole number from ${min} to ${max}, got "${String(v)}"`);
  }
  return n;
}
