/**
 * `--override NAME=CHOICE` (run, tui, diff): a kernel behaviour row by name and one of its
 * choices, checked against the behaviour table (src/sim/kernel.ts) with did-you-mean, as
 * a scenario's "overrides" are. A mistake is a usage error (exit 2), one line.
 */
import { BEHAVIOURS, behaviourById } from '../sim/kernel.ts';
import { closest } from '../scenario/suggest.ts';
import { UsageError } from './output.ts';

export interface Override {
  readonly id: string;
  readonly choice: string;
}

/** One NAME=CHOICE, checked. */
export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) {
    const near = closest(text, BEHAVIOURS.map((b) => b.id));
    throw new UsageError(`--override expects NAME=CHOICE, got "${text}"${near ? ` (e.g. ${near}=${behaviourById(near)!.choices[0]})` : ''}; \`dmadbg info kernels\` lists the behaviours and their choices`);
  }
  const id = text.slice(0, eq).trim();
  const choice = text.slice(eq + 1).trim();
  const b = behaviourById(id);
  if (!b) {
    const near = closest(id, BEHAVIOURS.map((x) => x.id));
    throw new UsageError(`--override: no kernel behaviour "${id}"${near ? ` (did you mean "${near}"?)` : ''}; \`dmadbg info kernels\` lists them`);
  }
  if (!(b.choices as readonly string[]).includes(choice)) {
    const near = closest(choice, b.choices);
    throw new UsageError(`--override ${id}: "${choice}" is not a choice (${near ? `did you mean "${near}"? ` : ''}one of: ${b.choices.join(', ')})`);
  }
  return { id, choice };
}

/** yargs gives a string for one --override and an array for several. */
export function overrideList(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** Every --override of run or tui, each row at most once. */
export function parseOverrides(v: unknown): Record<string, string> | undefined {
  const list = overrideList(v).map(parseOverride);
  if (!list.length) return undefined;
  const out: Record<string, string> = {};
  for (const o of list) {
    if (o.id in out && out[o.id] !== o.choice) throw new UsageError(`--override ${o.id} is given twice ("${out[o.id]}" and "${o.choice}"); give it once`);
    out[o.id] = o.choice;
  }
  return out;
}

export const OVERRIDE_OPTION = {
  // Not `array: true`: that would swallow the scenario after it; yargs collects repeats itself.
  type: 'string',
  requiresArg: true,
  describe: "change one kernel behaviour by name, over the scenario's kernel and overrides (repeatable; `dmadbg info kernels` lists NAME and CHOICE)",
} as const;

/** "scenario=X seed=N kernel=K", and the command line's overrides when there are any. */
export function runLabel(scenario: string, seed: number, kernel: string, overrides?: Readonly<Record<string, string>>): string {
  const o = overrides && Object.keys(overrides).length ? ` override=${Object.entries(overrides).map(([k, v]) => `${k}=${v}`).join(',')}` : '';
  return `scenario=${scenario} seed=${seed} kernel=${kernel}${o}`;
}
