/**
 * Build small mtk machines in code: one engine per listed larb/port, each taking its larb,
 * mapping an 8 KiB buffer and running the given ops. Used where a scenario file per case
 * would hide the point of the test.
 */
import { Scenario, type ScenarioOut } from '../../../src/scenario/schema/index.ts';
import { buildMachine } from '../../../src/scenario/build/index.ts';
import type { Machine } from '../../../src/sim/machine.ts';
import type { KernelVersion } from '../../../src/sim/kernel.ts';

export interface EngineSpec {
  larb: number;
  port: number;
  ops: unknown[];
  start?: number;
}

export function mtkScenario(soc: string, kernel: KernelVersion, engines: EngineSpec[], mtk: Record<string, unknown> = {}, dramSize = '0x80000000'): ScenarioOut {
  return Scenario.parse({
    version: 1,
    name: 'test',
    description: 'test',
    kernel,
    memory: {
      dram: [{ base: '0x40000000', size: dramSize }],
      buffers: engines.map((_, i) => ({ name: `b${i}`, size: '8K', fill: i + 1 })),
    },
    mtk: { soc, ...mtk },
    devices: engines.map((e, i) => ({
      kind: 'mtk-engine',
      name: `e${i}`,
      engine: 'img',
      larb: e.larb,
      port: e.port,
      start: e.start ?? 1000 + i * 1000,
      ops: [{ op: 'larb-get' }, { op: 'map', as: 'm', buf: `b${i}`, len: '8K', dir: 'bidirectional' }, ...e.ops],
    })),
  });
}

export function runAll(m: Machine, max = 100_000): Record<string, unknown>[] {
  while (m.state.events < max && m.step()) {
    /* run */
  }
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < m.trace.count; i++) out.push(JSON.parse(traceLineOf(m, i)) as Record<string, unknown>);
  return out;
}

const traceLineOf = (m: Machine, i: number): string => m.trace.line(i);

export function build(s: ScenarioOut, kernel?: KernelVersion): Machine {
  return buildMachine(s, { kernel }).machine;
}

export const kinds = (recs: Record<string, unknown>[], kind: string) => recs.filter((r) => r.kind === kind);
