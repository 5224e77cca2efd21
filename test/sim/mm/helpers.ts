/**
 * Helpers for the mm tests: build a scenario from an object (through the same schema and
 * checks as a file), run it, and pick records.
 */
import { parseScenarioText } from '../../../src/scenario/load.ts';
import { type BuildOptions, buildMachine } from '../../../src/scenario/build/index.ts';
import type { Machine } from '../../../src/sim/machine.ts';

export type Rec = Record<string, unknown> & { seq: number; t: number; kind: string };

export function scenarioOf(obj: Record<string, unknown>) {
  const r = parseScenarioText(JSON.stringify({ version: 1, name: 'test', description: 'test', memory: { dram: [{ base: '0x80000000', size: '64M' }] }, ...obj }), 'test.json');
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return r.scenario;
}

export function runObj(obj: Record<string, unknown>, opts: BuildOptions = {}): { m: Machine; recs: Rec[] } {
  const { machine: m } = buildMachine(scenarioOf(obj), opts);
  while (m.state.events < 1_000_000 && m.step());
  const recs: Rec[] = [];
  for (let i = 0; i < m.trace.count; i++) recs.push(JSON.parse(m.trace.line(i)) as Rec);
  return { m, recs };
}

/** The records at time t (one scheduled operation), as short tokens for order assertions. */
export function opSequence(recs: Rec[], t: number, subscriber = 'tracer'): string[] {
  return recs
    .filter((r) => r.t === t)
    .flatMap((r) => {
      if (r.kind === 'notifier' && r.subscriber === subscriber) return [r.caller ? `${r.op}(${r.caller as string})` : (r.op as string)];
      if (r.kind === 'cpu-pte') return [`pte:${r.why as string}`];
      if (r.kind === 'page-free') return ['free'];
      return [];
    });
}

export const BASE = 0x7f0000000000;
export const va = (page: number): string => '0x' + (BASE + page * 4096).toString(16);
