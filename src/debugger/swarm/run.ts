/**
 * One run of a swarm: a scenario document (a family member, see scenario/swarm.ts) run
 * headless until the first record of a `--fail-on` kind, or its end. Pure in what it
 * returns: the same document, kernel and overrides give the same outcome on any thread.
 */
import type { KernelVersion } from '../../sim/kernel.ts';
import { SimLimitError } from '../../sim/limits.ts';
import { recordLine } from '../../sim/trace/codec.ts';
import type { TraceRecord } from '../../sim/trace-kinds.ts';
import { parseScenarioText } from '../../scenario/load.ts';
import { formatProblem, ScenarioError } from '../../scenario/problems.ts';
import { buildMachine } from '../../scenario/build/index.ts';
import type { ScenarioOut } from '../../scenario/schema/index.ts';

export interface RunSettings {
  /** Kinds whose first record fails the run. */
  readonly failOn: readonly string[];
  readonly kernel?: KernelVersion;
  /** Behaviour overrides for every seed (after the seed's own choices). */
  readonly overrides?: Readonly<Record<string, string>>;
  /** Stop after this many events (default: the scenario's limits.maxEvents). */
  readonly maxEvents?: number;
}

export type Outcome = 'pass' | 'fail' | 'invalid' | 'limit';

export interface RunResult {
  readonly outcome: Outcome;
  /** fail: the first failing record, its event and its JSON line. */
  readonly kind?: string;
  readonly seq?: number;
  readonly event?: number;
  readonly line?: string;
  /** invalid / limit: why. */
  readonly message?: string;
  readonly events: number;
  readonly records: number;
}

/** Apply the settings' kernel and overrides to a scenario document (a copy). */
export function withSettings(doc: Record<string, unknown>, s: RunSettings): Record<string, unknown> {
  const out = { ...doc };
  if (s.kernel) out.kernel = s.kernel;
  if (s.overrides && Object.keys(s.overrides).length) out.overrides = { ...((out.overrides as Record<string, string> | undefined) ?? {}), ...s.overrides };
  return out;
}

/** A member checked as `dmadbg run` would: the scenario to build, or why it is refused. */
export type Checked = { readonly ok: true; readonly scenario: ScenarioOut } | { readonly ok: false; readonly message: string };

/** Parse and check a scenario document with the settings' kernel and overrides applied. */
export function checkDoc(doc: Record<string, unknown>, file: string, s: RunSettings): Checked {
  const loaded = parseScenarioText(JSON.stringify(withSettings(doc, s)), file);
  return loaded.ok ? { ok: true, scenario: loaded.scenario } : { ok: false, message: formatProblem(loaded.problems[0]) };
}

export function runDoc(doc: Record<string, unknown>, file: string, s: RunSettings): RunResult {
  const c = checkDoc(doc, file, s);
  return c.ok ? runScenario(c.scenario, file, undefined, s) : { outcome: 'invalid', message: c.message, events: 0, records: 0 };
}

/**
 * Build and run a checked scenario; `seed` (when given) replaces the scenario's own, so one
 * checked member serves every seed that picked it. The scenario is only read.
 */
export function runScenario(scenario: ScenarioOut, file: string, seed: number | undefined, s: RunSettings): RunResult {
  let built;
  try {
    built = buildMachine(scenario, { file, seed });
  } catch (e) {
    if (e instanceof ScenarioError) return { outcome: 'invalid', message: formatProblem(e.problems[0]), events: 0, records: 0 };
    throw e;
  }
  const m = built.machine;
  // Fast-forward (nothing kept in the trace store): only the --fail-on kinds (and what checkers watch) are built; the first
  // one halts the machine inside its event, as a debugger breakpoint would.
  const fail = new Set(s.failOn);
  let first: TraceRecord | undefined;
  m.fastForward(true, (k) => fail.has(k));
  m.haltTest = (r) => {
    if (!fail.has(r.kind)) return false;
    first = r;
    return true;
  };
  const max = s.maxEvents ?? scenario.limits.maxEvents;
  try {
    while (m.state.events < max && m.step()) {
      if (first) return { outcome: 'fail', kind: first.kind, seq: first.seq, event: m.state.events, line: recordLine(first), events: m.state.events, records: m.state.traceCount };
    }
  } catch (e) {
    if (!(e instanceof SimLimitError)) throw e;
    return { outcome: 'limit', message: e.message, events: m.state.events, records: m.state.traceCount };
  }
  return { outcome: 'pass', events: m.state.events, records: m.state.traceCount };
}
