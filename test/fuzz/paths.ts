/**
 * Does a refusal point at the right place? Its JSON path must lead through the document
 * to an existing value, or to a field missing from an existing object (a required field,
 * or one a check wants), or it is a whole-file problem that says where (line and column).
 */
import type { ScenarioProblem } from '../../src/scenario/problems.ts';

/** "devices[0].ops[1].len" / 'memory[""]' -> ['devices', 0, 'ops', 1, 'len'] / ['memory', ''] */
export function parsePath(path: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '[') {
      const end = path.indexOf(']', i);
      if (end < 0) return undefined;
      const inner = path.slice(i + 1, end);
      if (/^\d+$/.test(inner)) out.push(Number(inner));
      else if (inner.startsWith('"')) {
        // A quoted key may itself contain ']': read the JSON string.
        let j = i + 2;
        while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
        out.push(JSON.parse(path.slice(i + 1, j + 1)) as string);
        i = j + 2;
        continue;
      } else return undefined;
      i = end + 1;
    } else {
      if (path[i] === '.') i++;
      let j = i;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      out.push(path.slice(i, j));
      i = j;
    }
  }
  return out;
}

export function located(p: ScenarioProblem, doc: unknown): boolean {
  if (!p.message) return false;
  if (p.path === '') {
    // Whole-file problems: JSON syntax (with line and column), not an object, empty, too big.
    return /line \d+ column \d+|must be a JSON object|empty file|bytes|nested/.test(p.message);
  }
  const keys = parsePath(p.path);
  if (!keys || doc === undefined) return false;
  let v: unknown = doc;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (v === null || typeof v !== 'object') return false;
    const has = Array.isArray(v) ? typeof k === 'number' && k < v.length : typeof k === 'string' && Object.hasOwn(v, k);
    if (!has) return i === keys.length - 1 && !Array.isArray(v);
    v = (v as Record<string | number, unknown>)[k];
  }
  return true;
}
