/**
 * A fuzz worker (a child process, so a hang or an out-of-memory is seen from outside):
 * reads cases as JSON lines on stdin, answers one JSON line per case on stdout.
 * - scenario: parse and check the text as `validate` does; refused -> every problem must
 *   name a JSON path that exists in the document (or its missing field's parent); accepted
 *   -> build and run up to a bounded number of events, every record serialised.
 * - commands: run command lines in a debugger session on a built-in scenario.
 * Anything thrown that is not a user-facing refusal or a limit stop is a crash.
 */
import { createInterface } from 'node:readline';
import { parseScenarioText } from '../../src/scenario/load.ts';
import { buildMachine } from '../../src/scenario/build/index.ts';
import { validateLoaded } from '../../src/scenario/validate.ts';
import { parseJsonc } from '../../src/scenario/jsonc.ts';
import { lintScenario } from '../../src/scenario/lint.ts';
import { ScenarioError, type ScenarioProblem } from '../../src/scenario/problems.ts';
import { SimLimitError } from '../../src/sim/limits.ts';
import { Session } from '../../src/debugger/session.ts';
import { located } from './paths.ts';

export interface ScenarioCase {
  readonly id: number;
  readonly kind: 'scenario';
  readonly text: string;
  readonly maxEvents: number;
  /** Also drive a debugger session over it (continue, reverse motion, inspectors). */
  readonly session?: boolean;
}
export interface CommandsCase {
  readonly id: number;
  readonly kind: 'commands';
  readonly scenario: string;
  readonly lines: string[];
}
export type Case = ScenarioCase | CommandsCase;

export interface Outcome {
  readonly id: number;
  readonly outcome: 'refused' | 'ran' | 'stopped' | 'crash' | 'unlocated';
  readonly detail?: string;
  readonly events?: number;
  readonly records?: number;
}

function scenarioCase(c: ScenarioCase): Outcome {
  const res = parseScenarioText(c.text, 'fuzz.json');
  let problems: readonly ScenarioProblem[] = res.ok ? [] : res.problems;
  let built;
  if (!res.ok) {
    // validate's one pass: what is left after pruning is built and linted too.
    const v = validateLoaded(res, 'fuzz.json');
    problems = [...v.problems, ...v.warnings];
  }
  if (res.ok) {
    try {
      built = buildMachine(res.scenario, { file: 'fuzz.json' });
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      problems = e.problems;
    }
  }
  if (problems.length) {
    let doc: unknown;
    try {
      doc = parseJsonc(c.text);
    } catch {
      doc = undefined;
    }
    const bad = problems.filter((p) => !located(p, doc));
    if (bad.length) return { id: c.id, outcome: 'unlocated', detail: bad.map((p) => `${p.path || '(no path)'}: ${p.message}`).join(' | ') };
    return { id: c.id, outcome: 'refused' };
  }
  if (c.session) {
    // The debugger's path on the same scenario: checkpoints, reverse motion, inspectors.
    const res2 = parseScenarioText(c.text, 'fuzz.json');
    if (res2.ok) {
      const session = new Session(buildMachine(res2.scenario, { file: 'fuzz.json' }), { maxEvents: c.maxEvents });
      for (const line of ['step 3', 'continue', 'reverse-step', 'reverse-continue', 'goto @2', 'info devices', 'info swiotlb', 'why']) {
        const r = session.exec(line);
        if (r.stop?.reason === 'error' || (r.error && /internal error/.test(r.lines.join('\n')))) {
          return { id: c.id, outcome: 'crash', detail: `session ${JSON.stringify(line)}: ${r.lines.join(' / ')}` };
        }
      }
    }
  }
  const m = built!.machine;
  // The warnings validate would print: each must be located too (the lint runs the boot).
  const warnings = lintScenario({ s: res.ok ? res.scenario : built!.scenario, built: built!, file: 'fuzz.json' });
  const doc = parseJsonc(c.text);
  const unplaced = warnings.filter((p) => !located(p, doc));
  if (unplaced.length) return { id: c.id, outcome: 'unlocated', detail: unplaced.map((p) => `warning ${p.path || '(no path)'}: ${p.message}`).join(' | ') };
  let records = 0;
  // Encoded and dropped after each event, as `run --json` does (the encoder runs too).
  m.keepTrace = true;
  try {
    while (m.state.events < c.maxEvents && m.step()) {
      m.trace.drain(() => {});
      records = m.state.traceCount;
    }
  } catch (e) {
    if (e instanceof SimLimitError) return { id: c.id, outcome: 'stopped', detail: e.message, events: m.state.events, records };
    throw e;
  }
  return { id: c.id, outcome: 'ran', events: m.state.events, records };
}

function commandsCase(c: CommandsCase): Outcome {
  const res = parseScenarioText(c.scenario, 'fuzz.json');
  if (!res.ok) throw new Error('the command fuzz needs a valid scenario');
  const session = new Session(buildMachine(res.scenario, { file: 'fuzz.json' }), { maxEvents: 20_000 });
  for (const line of c.lines) {
    const r = session.exec(line);
    // An internal error is a crash; a user's mistake is an error with a message (and a column when it points somewhere).
    if (r.stop?.reason === 'error' || (r.error && /internal error/.test(r.lines.join('\n')))) {
      return { id: c.id, outcome: 'crash', detail: `${JSON.stringify(line)}: ${r.lines.join(' / ')}` };
    }
    if (r.error && !r.error.message) return { id: c.id, outcome: 'unlocated', detail: `${JSON.stringify(line)}: empty error` };
    session.complete(line);
  }
  return { id: c.id, outcome: 'ran', events: session.events };
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  const c = JSON.parse(line) as Case;
  let out: Outcome;
  try {
    out = c.kind === 'scenario' ? scenarioCase(c) : commandsCase(c);
  } catch (e) {
    out = { id: c.id, outcome: 'crash', detail: (e as Error)?.stack?.split('\n').slice(0, 6).join(' | ') ?? String(e) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
});
