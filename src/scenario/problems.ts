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

export class ScenarioError extends Error {
  constructor(readonly problems: readonly ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
  }
}
