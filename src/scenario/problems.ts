/** A problem in a scenario file, printed as `file:json.path: message (hint)`. */
export interface ScenarioProblem {
  readonly file: string;
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

export function formatProblem(p: ScenarioProblem): string {
  const where = p.path ? `${p.file}:${p.path}` : p.file;
  return `${where}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`;
}

/**
 * ['devices', 0, 'ops', 1] -> "devices[0].ops[1]". A key that is not a plain word ("",
 * "a.b", "[x") is written quoted, ['memory', ''] -> 'memory[""]', so every path names one place.
 */
export function jsonPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) {
    if (typeof k === 'number') s += `[${k}]`;
    else if (!/^[A-Za-z_$][\w$-]*$/.test(String(k))) s += `[${JSON.stringify(String(k))}]`;
    else s += s ? `.${String(k)}` : String(k);
  }
  return s;
}

/** The inverse of jsonPath: 'devices[0].ops[1]' -> ['devices', 0, 'ops', 1]; undefined if malformed. */
export function parseJsonPath(path: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '[') {
      if (path[i + 1] === '"') {
        // A quoted key may hold "]" or ".": read it as the JSON string it was written as.
        let j = i + 2;
        while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
        if (path[j + 1] !== ']') return undefined;
        out.push(JSON.parse(path.slice(i + 1, j + 1)) as string);
        i = j + 2;
        continue;
      }
      const end = path.indexOf(']', i);
      const inner = end < 0 ? '' : path.slice(i + 1, end);
      if (!/^\d+$/.test(inner)) return undefined;
      out.push(Number(inner));
      i = end + 1;
      continue;
    }
    if (path[i] === '.') i++;
    let j = i;
    while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
    if (j === i) return undefined;
    out.push(path.slice(i, j));
    i = j;
  }
  return out;
}

export class ScenarioError extends Error {
  constructor(readonly problems: readonly ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
  }
}
