import { fill } from '../../sim/mem/phys.ts';
import { physAlloc, physReserve } from '../../sim/mem/alloc.ts';
import { ScenarioError } from '../problems.ts';
import type { BuildStep } from './context.ts';

/** Fixed buffers first (so allocation cannot take their place), then the rest in order. */
export const buildMemory: BuildStep = ({ m, s, file, buffers }) => {
  const order = s.memory.buffers
    .map((b, i) => ({ b, i }))
    .sort((x, y) => Number(x.b.addr === undefined) - Number(y.b.addr === undefined));
  for (const { b, i } of order) {
    let pa: number;
    if (b.addr !== undefined) {
      if (!physReserve(m.state.alloc, b.addr, b.size)) {
        throw new ScenarioError([{ file, path: `memory.buffers[${i}].addr`, message: `buffer "${b.name}" overlaps another buffer or lies outside DRAM` }]);
      }
      pa = b.addr;
    } else {
      pa = physAlloc(m.state.alloc, b.size, { align: 4096, limit: b.below, min: b.above });
      if (pa < 0) {
        throw new ScenarioError([{ file, path: `memory.buffers[${i}]`, message: `no free DRAM for buffer "${b.name}" (${b.size} bytes)`, hint: 'enlarge memory.dram or relax below/above' }]);
      }
    }
    if (b.fill !== undefined) fill(m.state.mem, pa, b.size, b.fill);
    buffers.set(b.name, { pa, size: b.size });
  }
};
