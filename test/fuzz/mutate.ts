/**
 * Seeded mutations of scenario documents, as a hostile or careless user would write them:
 * fields dropped, added or misspelt, arrays emptied and doubled, names swapped between
 * cross-references, and numbers pushed to every edge (2^k ± 1 for k up to 64, sizes like
 * "8T", durations like "100000s", negatives, fractions), plus deep nesting.
 * Used by test/scenario/fuzz.test.ts and `npx tsx test/fuzz/run.ts`.
 */
import { type Prng, intBelow, prngFromSeed } from '../../src/sim/core/prng.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Parent = Record<string, Json> | Json[];

const pick = <T>(p: Prng, xs: readonly T[]): T => xs[intBelow(p, xs.length)];

const EXPONENTS = [0, 1, 7, 8, 12, 16, 20, 24, 30, 31, 32, 33, 36, 40, 44, 46, 47, 48, 49, 52, 53, 54, 60, 63, 64];

/** Values at the limits the checks enforce, and just past them. */
const AT_LIMITS = [
  64 * 2 ** 20, 64 * 2 ** 20 + 1, 512 * 2 ** 20, 2 ** 30, 2 ** 32 - 1, 2 ** 32, 2 ** 32 - 4096, 2 ** 40, 2 ** 40 + 1, 2 ** 46, 2 ** 47 - 4096,
  2 ** 47 - 1, 2 ** 48 - 4096, 2 ** 48 - 1, 64 * 2 ** 30, 64 * 2 ** 30 + 4096, 10_000_000, 9_999_999, 65_536, 4096, 4095, 1, 2, 3, 127, 128, 129, 255, 256,
];

function edgeNumber(p: Prng): Json {
  if (intBelow(p, 3) === 0) {
    const v = pick(p, AT_LIMITS);
    return intBelow(p, 2) ? `0x${v.toString(16)}` : v;
  }
  const k = pick(p, EXPONENTS);
  const base = 2 ** k;
  // Mostly values a schema would take (whole, non-negative): those reach the simulator.
  if (intBelow(p, 2) === 0) {
    const v = pick(p, [base, base - 1, base + 1, base * 3]);
    return Number.isSafeInteger(v) && intBelow(p, 2) ? `0x${v.toString(16)}` : v;
  }
  const n = pick(p, [base, base - 1, base + 1, -base, base / 2 + 0.5, 0]);
  switch (intBelow(p, 6)) {
    case 0:
      return n;
    case 1:
      return n >= 0 && Number.isSafeInteger(n) ? `0x${n.toString(16)}` : n;
    case 2:
      return `${2 ** intBelow(p, 11)}${pick(p, ['K', 'M', 'G', 'T'])}`;
    case 3:
      return `${pick(p, [1, 999, 2 ** 20, 2 ** 32, 10 ** 9, 2 ** 47])}${pick(p, ['ns', 'us', 'ms', 's'])}`;
    case 4:
      return pick(p, ['0x_', '1e3', '1.5K', '-0x10', '0x1_0000_0000_0000', ' 64K ', '64KiB', '0x' + 'f'.repeat(20), '9'.repeat(30)]);
    default:
      return Math.floor(n * pick(p, [1, 3, 1000]));
  }
}

const WEIRD: readonly Json[] = [null, -1, 0, 1, 1.5, 2 ** 60, '', 'abc', '0x', '64Q', true, false, [], {}, 'dma-engine', '0xffffffffffffffff', ' ', '\u00a0', 'constructor', '__proto__'];
const ODD_KEYS = ['x', '', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'length', '0'];

/** Every (parent, key) in the document, so a mutation can reach any depth. */
function slots(doc: Json, out: [Parent, string | number][] = []): [Parent, string | number][] {
  if (Array.isArray(doc)) doc.forEach((v, i) => (out.push([doc, i]), slots(v, out)));
  else if (doc && typeof doc === 'object') for (const k of Object.keys(doc)) out.push([doc, k]), slots(doc[k], out);
  return out;
}

function strings(doc: Json, out: string[] = []): string[] {
  if (typeof doc === 'string') out.push(doc);
  else if (Array.isArray(doc)) doc.forEach((v) => strings(v, out));
  else if (doc && typeof doc === 'object') Object.values(doc).forEach((v) => strings(v, out));
  return out;
}

/** A placeholder that mutant() replaces with `depth` nested arrays/objects in the text (deeper than JSON.stringify can go). */
const nestMark = (depth: number, objects: boolean) => `\u0001nest:${depth}:${objects ? 'o' : 'a'}\u0001`;
function expandNests(text: string): string {
  return text.replace(/"\\u0001nest:(\d+):([oa])\\u0001"/g, (_m, d: string, k: string) =>
    k === 'o' ? '{"a":'.repeat(Number(d)) + '1' + '}'.repeat(Number(d)) : '['.repeat(Number(d)) + '1' + ']'.repeat(Number(d)),
  );
}

const set = (parent: Parent, key: string | number, v: Json) => {
  (parent as Record<string | number, Json>)[key] = v;
};

/** One mutation, described for the failure report. */
export function mutateOnce(doc: Json, p: Prng): string {
  const all = slots(doc);
  if (!all.length) return 'nothing to mutate';
  // Half the time, a number: the edges of numbers are where a simulator breaks.
  const numeric = all.filter(([pa, k]) => {
    const v = (pa as Record<string | number, Json>)[k];
    return typeof v === 'number' || (typeof v === 'string' && /^(0x[0-9a-f_]+|\d+[KMGT]?|\d+(ns|us|ms|s))$/i.test(v));
  });
  const from = numeric.length && intBelow(p, 2) === 0 ? numeric : all;
  const [parent, key] = from[intBelow(p, from.length)];
  const old = (parent as Record<string | number, Json>)[key];
  const where = String(key);
  const r = intBelow(p, 12);
  if (r === 0 && !Array.isArray(parent)) {
    delete parent[key as string];
    return `delete ${where}`;
  }
  if (r === 1 && !Array.isArray(parent)) {
    const k = pick(p, ODD_KEYS.concat([`${where}x`, where.slice(1)]));
    // Through defineProperty, so "__proto__" becomes an own key as JSON.parse would make it.
    Object.defineProperty(parent, k, { value: pick(p, WEIRD), enumerable: true, writable: true, configurable: true });
    return `add key ${JSON.stringify(k)} next to ${where}`;
  }
  if (r === 2 && Array.isArray(parent)) {
    parent.splice(key as number, 1);
    return `remove element ${where}`;
  }
  if (r === 3 && Array.isArray(parent)) {
    const copies = pick(p, [1, 2, 50]);
    for (let i = 0; i < copies; i++) parent.push(JSON.parse(JSON.stringify(parent[key as number] ?? null)) as Json);
    return `duplicate element ${where} x${copies}`;
  }
  if (r <= 6 && (typeof old === 'number' || typeof old === 'string' || intBelow(p, 4) === 0)) {
    const v = edgeNumber(p);
    set(parent, key, v);
    return `${where} = ${JSON.stringify(v)}`;
  }
  if (r === 7) {
    const names = strings(doc);
    if (names.length) {
      const v = pick(p, names);
      set(parent, key, v);
      return `${where} = ${JSON.stringify(v)} (another string of the file)`;
    }
  }
  if (r === 8 && typeof old === 'number') {
    const v = old * 2 ** pick(p, [8, 16, 24, 32, 40]);
    set(parent, key, v);
    return `${where} scaled to ${v}`;
  }
  if (r === 9) {
    const depth = pick(p, [5, 70, 1000, 20_000]);
    set(parent, key, nestMark(depth, intBelow(p, 2) === 1));
    return `${where} nested ${depth} deep`;
  }
  const v = pick(p, WEIRD);
  set(parent, key, v);
  return `${where} = ${JSON.stringify(v)}`;
}

export interface Mutant {
  readonly seed: number;
  readonly base: string;
  readonly steps: string[];
  readonly text: string;
}

/** Mutant number `seed`: a built-in scenario (picked by the seed) with 1..4 mutations. */
export function mutant(seed: number, bases: readonly { name: string; text: string }[]): Mutant {
  const p = prngFromSeed(seed);
  const base = bases[intBelow(p, bases.length)];
  const doc = JSON.parse(base.text) as Json;
  const n = pick(p, [1, 1, 1, 2, 2, 3]);
  const steps: string[] = [];
  for (let i = 0; i < n; i++) steps.push(mutateOnce(doc, p));
  let text = expandNests(JSON.stringify(doc));
  // Now and then, damage the text itself.
  if (intBelow(p, 25) === 0) {
    const at = intBelow(p, text.length);
    text = text.slice(0, at) + pick(p, ['', ',', '}', '"', '\u0000', '\n', '[']) + text.slice(at + 1);
    steps.push(`text damaged at offset ${at}`);
  }
  return { seed, base: base.name, steps, text };
}
