/**
 * Shrinking a failing run (`dmadbg shrink`): delta debugging (Zeller's ddmin, over
 * complements) on the scenario document while the run still fails with the same kind.
 * In turn, until nothing more goes: every array in the document, outermost first (the
 * devices, then each device's ops, processes and their ops, buffers, ...), then sizes and
 * counts halved (len, size, repeat, count, ...). Last, the run is cut at the failing event
 * (limits.maxEvents). A candidate the checks refuse is simply not a reproduction.
 */
import { parseNumberish } from '../../scenario/numberish.ts';
import { type RunResult, type RunSettings, runDoc } from './run.ts';

type Doc = Record<string, unknown>;
type Path = readonly (string | number)[];

/** Fields whose values are sizes or counts: halving them keeps a scenario meaningful. */
const SHRINKABLE = new Set(['len', 'size', 'repeat', 'count', 'bytes', 'rounds', 'nslabs', 'iotlbEntries', 'segMax']);
/** At most this many runs (each a few ms for the scenarios shrink is for). */
const MAX_TESTS = 20_000;

export interface ShrinkResult {
  readonly doc: Doc;
  readonly original: RunResult;
  readonly result: RunResult;
  /** Runs tried. */
  readonly tests: number;
}

export class ShrinkError extends Error {}

/** Smallest sub-list (by complements) for which `keeps` holds; `keeps(items)` is known true. */
export function ddmin<T>(items: readonly T[], keeps: (subset: readonly T[]) => boolean): T[] {
  let cur = items.slice();
  let n = 2;
  while (cur.length >= 2) {
    const chunk = Math.ceil(cur.length / n);
    let reduced = false;
    for (let i = 0; i < cur.length; i += chunk) {
      const rest = [...cur.slice(0, i), ...cur.slice(i + chunk)];
      if (keeps(rest)) {
        cur = rest;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= cur.length) break;
      n = Math.min(cur.length, n * 2);
    }
  }
  if (cur.length === 1 && keeps([])) return [];
  return cur;
}

function get(doc: unknown, path: Path): unknown {
  let cur = doc;
  for (const k of path) cur = (cur as Record<string | number, unknown>)[k];
  return cur;
}

function withValue(doc: Doc, path: Path, value: unknown): Doc {
  const copy = structuredClone(doc);
  const parent = get(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]] = value;
  return copy;
}

/** Every array in the document, outermost first. */
function arrays(doc: unknown, path: Path = []): Path[] {
  if (doc === null || typeof doc !== 'object') return [];
  const out: Path[] = [];
  if (Array.isArray(doc)) {
    out.push(path);
    doc.forEach((v, i) => out.push(...arrays(v, [...path, i])));
  } else for (const [k, v] of Object.entries(doc)) out.push(...arrays(v, [...path, k]));
  // Outer arrays before the arrays inside their elements.
  return out.sort((a, b) => a.length - b.length);
}

/** Sizes and counts in the document (numbers, or strings such as "8K"). */
function shrinkables(doc: unknown, path: Path = []): { path: Path; value: number }[] {
  if (doc === null || typeof doc !== 'object') return [];
  const out: { path: Path; value: number }[] = [];
  for (const [k, v] of Object.entries(doc)) {
    const p = [...path, Array.isArray(doc) ? Number(k) : k];
    if (SHRINKABLE.has(k) && (typeof v === 'number' || typeof v === 'string')) {
      const n = typeof v === 'number' ? v : parseNumberish(v);
      if (Number.isSafeInteger(n) && n > 1) out.push({ path: p, value: n });
    } else out.push(...shrinkables(v, p));
  }
  return out;
}

export function shrink(doc0: Doc, file: string, settings: RunSettings): ShrinkResult {
  const original = runDoc(doc0, file, settings);
  if (original.outcome !== 'fail') throw new ShrinkError(original.outcome === 'pass' ? `the run does not fail (no ${settings.failOn.join(' or ')} record)` : `the run does not fail: ${original.outcome}${original.message ? `: ${original.message}` : ''}`);
  let tests = 1;
  let doc = doc0;
  let last = original;
  const fails = (d: Doc): boolean => {
    if (tests >= MAX_TESTS) return false;
    tests++;
    const r = runDoc(d, file, settings);
    if (r.outcome === 'fail' && r.kind === original.kind) {
      last = r;
      return true;
    }
    return false;
  };
  for (let changed = true; changed && tests < MAX_TESTS; ) {
    changed = false;
    // Arrays, outermost first; paths are re-read after every cut (indices shift).
    for (let i = 0; ; i++) {
      const list = arrays(doc);
      if (i >= list.length) break;
      const path = list[i];
      const items = get(doc, path) as unknown[];
      if (items.length === 0) continue;
      const kept = ddmin(items, (sub) => sub.length === items.length || fails(withValue(doc, path, sub)));
      if (kept.length < items.length) {
        doc = withValue(doc, path, kept);
        changed = true;
      }
    }
    for (const { path, value } of shrinkables(doc)) {
      let v = value;
      while (v > 1) {
        const half = Math.floor(v / 2);
        const cand = withValue(doc, path, half);
        if (!fails(cand)) break;
        doc = cand;
        v = half;
        changed = true;
      }
    }
  }
  // The final run, to report the failure as the minimal scenario shows it.
  const result = runDoc(doc, file, settings);
  if (result.outcome !== 'fail' || result.event === undefined) throw new ShrinkError('the shrunk scenario no longer fails (a dmadbg bug: please report it)');
  // Stop right after the failing event: the reproduction ends where the failure is.
  const limits = { ...((doc.limits as Doc | undefined) ?? {}), maxEvents: result.event };
  doc = { ...doc, limits };
  void last;
  return { doc, original, result: runDoc(doc, file, settings), tests };
}
