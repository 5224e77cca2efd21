/**
 * All problems in one pass. When zod refuses parts of a file, the cross-reference checks
 * and the build still have something to say about the rest: this takes the refused parts
 * out of a copy of the document (unknown fields dropped, a bad optional field left to its
 * default, otherwise the array element holding the problem removed) until the copy parses,
 * so the checks can run on it. What they report is moved back to the file's own JSON paths,
 * and what could only be a consequence of a removal (a problem inside or above a removed
 * part, a reference to a name that was removed) is left out: the zod problem says it first.
 */
import type { z } from 'zod';
import { objectAt } from './zod-issues.ts';
import { type ScenarioProblem, jsonPath, parseJsonPath } from './problems.ts';

type Key = string | number;
type Obj = Record<string, unknown>;

export interface Pruned<T> {
  /** The parsed copy, with the refused parts taken out. */
  readonly value: T;
  /** Problems found on the copy, at the file's paths, without the removals' consequences. */
  relocate(problems: readonly ScenarioProblem[]): ScenarioProblem[];
}

/** A few rounds: each removes something, and a removal can only expose a parent's problem. */
const MAX_ROUNDS = 8;
const NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v = doc;
  for (const k of path) v = (v as Record<PropertyKey, unknown> | undefined)?.[k as string];
  return v;
}

/** Names a removed part declared or referred to: problems quoting them are consequences. */
function namesIn(v: unknown, into: Set<string>): void {
  if (typeof v === 'string') {
    if (NAME.test(v)) into.add(v);
  } else if (isObj(v)) {
    for (const x of Object.values(v)) if (typeof x === 'string' && NAME.test(x)) into.add(x);
  }
}

const within = (path: string, outer: string) => path === outer || path.startsWith(`${outer}.`) || path.startsWith(`${outer}[`);

export function pruneToValid<T>(schema: z.ZodType<T>, raw: unknown, firstIssues: readonly z.core.$ZodIssue[]): Pruned<T> | undefined {
  const doc = structuredClone(raw);
  // For every array of the copy that lost elements: the file's index of each remaining one.
  const fileIndex = new Map<unknown[], number[]>();
  const indexesOf = (a: unknown[]) => {
    let x = fileIndex.get(a);
    if (!x) fileIndex.set(a, (x = a.map((_, i) => i)));
    return x;
  };
  const toFile = (path: readonly Key[]): Key[] => {
    const out: Key[] = [];
    let v: unknown = doc;
    for (const k of path) {
      if (Array.isArray(v) && typeof k === 'number') out.push(fileIndex.get(v)?.[k] ?? k);
      else out.push(k);
      v = (v as Record<Key, unknown> | undefined)?.[k];
    }
    return out;
  };
  const removedAt: string[] = [];
  const gone = new Set<string>();

  let issues = firstIssues;
  let parsed: z.ZodSafeParseResult<T> | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const cuts: Cut[] = [];
    for (const iss of issues) {
      const path = iss.path as Key[];
      if (iss.code === 'unrecognized_keys') {
        const obj = valueAt(doc, path);
        if (isObj(obj)) for (const k of iss.keys) cuts.push({ in: obj, key: k, path: [...path, k] });
        continue;
      }
      const cut = pruneOne(schema, doc, path);
      if (!cut) return undefined;
      cuts.push(cut);
    }
    // One cut per place; every path is read before anything moves; then fields go, then
    // elements, the last of an array first.
    const seen = new Map<object, Set<Key>>();
    const unique = cuts.filter((c) => {
      const keys = seen.get(c.in) ?? seen.set(c.in, new Set()).get(c.in)!;
      return keys.size !== keys.add(c.key).size;
    });
    const order = unique.map((c) => ({ c, where: jsonPath(toFile(c.path)) })).sort((a, b) => rank(b.c) - rank(a.c));
    let changed = false;
    for (const { c, where } of order) {
      if (Array.isArray(c.in)) {
        const k = c.key as number;
        if (k >= c.in.length) continue;
        namesIn(c.in[k], gone);
        indexesOf(c.in).splice(k, 1);
        c.in.splice(k, 1);
      } else {
        if (!(c.key in c.in)) continue;
        namesIn(c.in[c.key], gone);
        delete c.in[c.key];
      }
      removedAt.push(where);
      changed = true;
    }
    if (!changed) return undefined;
    parsed = schema.safeParse(doc);
    if (parsed.success) break;
    issues = parsed.error.issues;
  }
  if (!parsed?.success) return undefined;
  const refused = firstIssues.filter((i) => i.code !== 'unrecognized_keys').map((i) => jsonPath(i.path));
  const value = parsed.data;
  return {
    value,
    relocate(problems) {
      const out: ScenarioProblem[] = [];
      for (const p of problems) {
        const keys = parseJsonPath(p.path);
        const path = keys ? jsonPath(toFile(keys)) : p.path;
        if (refused.some((r) => within(path, r))) continue; // said already, at the same place
        if (path && removedAt.some((r) => within(r, path))) continue; // about a whole that lost a part
        if ([...p.message.matchAll(/"([^"]+)"/g)].some((m) => gone.has(m[1]))) continue; // names a removed part
        out.push({ ...p, path });
      }
      return out;
    },
  };
}

/**
 * Take out what an issue at `path` refuses: the innermost optional field on the way up (it
 * falls back to its default), or the innermost array element. False when only the whole
 * document holds it (a required top-level field): nothing can be checked then.
 */
function pruneOne(schema: z.ZodType, doc: unknown, path: readonly Key[]): Cut | undefined {
  for (let d = path.length; d >= 1; d--) {
    const key = path[d - 1];
    const at = path.slice(0, d - 1);
    const parent = valueAt(doc, at);
    if (Array.isArray(parent) && typeof key === 'number') {
      if (key < parent.length) return { in: parent, key, path: path.slice(0, d) };
      continue;
    }
    if (!isObj(parent) || typeof key !== 'string' || !(key in parent)) continue;
    const field = objectAt(schema, at, doc)?.shape?.[key];
    if (field && field.safeParse(undefined).success) return { in: parent, key, path: path.slice(0, d) };
  }
  return undefined;
}

/** One part to take out: a field of an object or an element of an array. */
interface Cut {
  readonly in: Obj | unknown[];
  readonly key: Key;
  /** Where it is in the copy as it stands this round. */
  readonly path: readonly Key[];
}

/** Fields before elements, and elements of one array from the last: indexes stay valid. */
const rank = (c: Cut): number => (Array.isArray(c.in) ? (c.key as number) : Number.MAX_SAFE_INTEGER);
