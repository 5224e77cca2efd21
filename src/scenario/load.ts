/**
 * Read and validate a scenario file. Every way a file can be wrong ends as a list of
 * problems with the file and JSON path; nothing here throws for a user mistake.
 */
import { readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Scenario, type ScenarioOut } from './schema/index.ts';
import type { ScenarioProblem } from './problems.ts';
import { zodIssuesToProblems } from './zod-issues.ts';
import { checkScenario } from './check.ts';
import { findDeepNesting, findJsonError, offsetToLineCol } from './json-position.ts';
import { stripComments } from './jsonc.ts';
import { type Pruned, pruneToValid } from './prune.ts';
import { LIMITS } from '../sim/limits.ts';

export type LoadResult =
  | { ok: true; scenario: ScenarioOut; file: string; hash: string; raw: unknown }
  | {
      ok: false;
      problems: ScenarioProblem[];
      /**
       * When the file's refused parts could be taken out and what is left passes every check:
       * that scenario, for `validate` to build (its problems are moved to the file's paths).
       */
      partial?: Pruned<ScenarioOut>;
    };

export function parseScenarioText(text: string, file: string): LoadResult {
  if (text.length > LIMITS.fileBytes) {
    return { ok: false, problems: [{ file, path: '', message: `the file has ${text.length} bytes; a scenario may have at most ${LIMITS.fileBytes} bytes`, hint: '`dmadbg info limits` lists every limit' }] };
  }
  // Comments are blanked in place: every line and column below is the file's own.
  const u = stripComments(text);
  if (u.unterminated !== undefined) {
    const { line, col } = offsetToLineCol(text, u.unterminated);
    return { ok: false, problems: [{ file, path: '', message: `a /* comment at line ${line} column ${col} is never closed`, hint: 'end it with */' }] };
  }
  const json = u.text;
  const deep = findDeepNesting(json, LIMITS.jsonDepth);
  if (deep !== undefined) {
    const { line, col } = offsetToLineCol(text, deep);
    return { ok: false, problems: [{ file, path: '', message: `arrays and objects nested more than ${LIMITS.jsonDepth} deep at line ${line} column ${col}`, hint: 'a scenario needs a few levels; check for a runaway bracket' }] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    if (json.trim() === '') {
      return { ok: false, problems: [{ file, path: '', message: 'not valid JSON: empty file', hint: 'a scenario is a JSON object; start from a built-in one' }] };
    }
    const bad = findJsonError(json);
    const { line, col } = offsetToLineCol(json, bad.offset);
    const near = JSON.stringify(json.slice(bad.offset, bad.offset + 12).split('\n')[0]);
    return { ok: false, problems: [{ file, path: '', message: `not valid JSON at line ${line} column ${col}: expected ${bad.expected}, found ${near}`, hint: bad.hint ?? 'fix the JSON syntax' }] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problems: [{ file, path: '', message: 'a scenario must be a JSON object', hint: 'start from `dmadbg new NAME`' }] };
  }
  const parsed = Scenario.safeParse(raw);
  if (!parsed.success) {
    // One pass: the checks still run on what zod accepted (prune.ts).
    const problems = zodIssuesToProblems(file, Scenario, raw, parsed.error.issues);
    const pruned = pruneToValid(Scenario, raw, parsed.error.issues);
    if (!pruned) return { ok: false, problems };
    const found = checkScenario(pruned.value, file);
    // Only a copy that passes every check may be built (even a problem left out as a
    // consequence, such as a reference to a removed buffer, would break the build).
    return { ok: false, problems: [...problems, ...pruned.relocate(found)], ...(found.length ? {} : { partial: pruned }) };
  }
  const problems = checkScenario(parsed.data, file);
  if (problems.length) return { ok: false, problems };
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return { ok: true, scenario: parsed.data, file, hash, raw };
}

export function loadScenarioFile(file: string): LoadResult {
  let st;
  try {
    st = statSync(file);
  } catch {
    return { ok: false, problems: [{ file, path: '', message: 'no such file', hint: 'check the path; `dmadbg list` shows the built-in scenarios' }] };
  }
  if (st.isDirectory()) {
    return { ok: false, problems: [{ file, path: '', message: 'is a directory, not a scenario file', hint: 'name a .json file inside it' }] };
  }
  if (st.size > LIMITS.fileBytes) {
    return { ok: false, problems: [{ file, path: '', message: `the file has ${st.size} bytes; a scenario may have at most ${LIMITS.fileBytes} bytes`, hint: '`dmadbg info limits` lists every limit' }] };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, problems: [{ file, path: '', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }] };
  }
  return parseScenarioText(text, file);
}
