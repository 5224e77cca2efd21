/** Reading a scenario family and the options swarm and shrink share, with one-line mistakes. */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createHash } from 'node:crypto';
import { listScenarios, resolveScenario } from '../../store/catalog.ts';
import { parseScenarioText } from '../../scenario/load.ts';
import { checkSwarm } from '../../scenario/swarm.ts';
import { formatProblem } from '../../scenario/problems.ts';
import { closest } from '../../scenario/suggest.ts';
import { TRACE_KIND_NAMES, isKindName } from '../../sim/trace-kinds.ts';
import { BEHAVIOURS, behaviourById } from '../../sim/kernel.ts';
import { SCENARIOS_DIR } from '../paths.ts';
import { EXIT, UsageError } from '../output.ts';

export interface Family {
  readonly file: string;
  readonly name: string;
  readonly raw: Record<string, unknown>;
  /** Hash of the file's text: shards of one swarm must agree on it. */
  readonly hash: string;
}

export function loadFamily(arg: string): Family {
  const file = resolveScenario(arg, SCENARIOS_DIR);
  if (!existsSync(file)) {
    const near = closest(basename(arg).replace(/\.json$/, ''), listScenarios(SCENARIOS_DIR).map((e) => e.name));
    throw new UsageError(`no scenario "${arg}": no such file, and no built-in scenario of that name${near ? ` (did you mean ${near}?)` : ''}`, EXIT.usage);
  }
  const text = readFileSync(file, 'utf8');
  const loaded = parseScenarioText(text, file);
  if (!loaded.ok) throw new UsageError(loaded.problems.map(formatProblem).join('\n'), EXIT.error);
  const raw = loaded.raw as Record<string, unknown>;
  if (raw.swarm !== undefined) {
    const problems = checkSwarm(raw, file);
    if (problems.length) throw new UsageError(problems.map(formatProblem).join('\n'), EXIT.error);
  }
  return { file, name: loaded.scenario.name, raw, hash: createHash('sha256').update(text).digest('hex').slice(0, 16) };
}

/** --fail-on KIND[,KIND...]: record kinds, each checked. */
export function failOnKinds(v: string): string[] {
  const kinds = v.split(',').map((k) => k.trim()).filter(Boolean);
  if (!kinds.length) throw new UsageError('--fail-on needs a record kind, e.g. --fail-on stale-tlb');
  for (const k of kinds) {
    if (!isKindName(k)) {
      const near = closest(k, TRACE_KIND_NAMES);
      throw new UsageError(`--fail-on: unknown record kind "${k}"${near ? ` (did you mean "${near}"?)` : ''}; \`dmadbg info kinds\` lists them`);
    }
  }
  return [...new Set(kinds)];
}

/** --override ROW=CHOICE (repeatable). */
export function overridesOf(list: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of list ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(o);
    if (!m) throw new UsageError(`--override expects ROW=CHOICE, got "${o}" (\`dmadbg info kernels\` lists the rows)`);
    const b = behaviourById(m[1]);
    if (!b) {
      const near = closest(m[1], BEHAVIOURS.map((x) => x.id));
      throw new UsageError(`--override: unknown kernel behaviour "${m[1]}"${near ? ` (did you mean "${near}"?)` : ''}`);
    }
    if (!(b.choices as readonly string[]).includes(m[2])) throw new UsageError(`--override: "${m[2]}" is not a choice for ${m[1]} (one of: ${b.choices.join(', ')})`);
    out[m[1]] = m[2];
  }
  return out;
}
