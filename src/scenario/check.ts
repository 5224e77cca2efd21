/**
 * Checks zod cannot express: names that must exist or be unique, ranges that must fit,
 * kernel-behaviour overrides that must name a real row and choice.
 */
import { BEHAVIOURS, behaviourById } from '../sim/kernel.ts';
import type { ScenarioOut } from './schema/index.ts';
import type { ScenarioProblem } from './problems.ts';
import { closest } from './suggest.ts';
import { checkProcesses, checkSva } from './check-mm.ts';
import { checkMtk } from './check-mtk.ts';

type Check = (s: ScenarioOut, file: string) => ScenarioProblem[];

const checkOverrides: Check = (s, file) => {
  const out: ScenarioProblem[] = [];
  for (const [id, choice] of Object.entries(s.overrides)) {
    const b = behaviourById(id);
    if (!b) {
      const near = closest(id, BEHAVIOURS.map((x) => x.id));
      out.push({ file, path: `overrides.${id}`, message: `unknown kernel behaviour "${id}"`, hint: near ? `did you mean "${near}"?` : 'see `dmadbg info kernels`' });
    } else if (!b.choices.includes(choice)) {
      out.push({ file, path: `overrides.${id}`, message: `"${choice}" is not a choice for ${id}`, hint: `one of: ${b.choices.join(', ')}` });
    }
  }
  return out;
};

const checkBuffers: Check = (s, file) => {
  const out: ScenarioProblem[] = [];
  const seen = new Set<string>();
  s.memory.buffers.forEach((b, i) => {
    if (seen.has(b.name)) out.push({ file, path: `memory.buffers[${i}].name`, message: `duplicate buffer name "${b.name}"` });
    seen.add(b.name);
    if (b.addr !== undefined) {
      const inside = s.memory.dram.some((r) => r.base <= b.addr! && b.addr! + b.size <= r.base + r.size);
      if (!inside) out.push({ file, path: `memory.buffers[${i}].addr`, message: `buffer "${b.name}" is not inside any DRAM range`, hint: 'check memory.dram' });
    }
  });
  return out;
};

const checkDevices: Check = (s, file) => {
  const out: ScenarioProblem[] = [];
  const names = new Set<string>();
  const bufs = new Map(s.memory.buffers.map((b) => [b.name, b]));
  s.devices.forEach((d, i) => {
    if (names.has(d.name)) out.push({ file, path: `devices[${i}].name`, message: `duplicate device name "${d.name}"` });
    names.add(d.name);
    if (d.kind !== 'dma-engine') return;
    d.ops.forEach((op, j) => {
      const at = `devices[${i}].ops[${j}]`;
      const refs: [string, string | undefined][] =
        op.op === 'copy' ? [['src', op.src], ['dst', op.dst]] : op.op === 'delay' ? [] : [['buf', op.buf]];
      if ((op.op === 'read' || op.op === 'write') && (op.buf === undefined) === (op.addr === undefined)) {
        out.push({ file, path: at, message: 'give exactly one of "buf" and "addr"' });
      }
      for (const [field, name] of refs) {
        if (name === undefined) continue;
        const b = bufs.get(name);
        if (!b) {
          const near = closest(name, [...bufs.keys()]);
          out.push({ file, path: `${at}.${field}`, message: `no buffer named "${name}"`, hint: near ? `did you mean "${near}"?` : 'declare it in memory.buffers' });
        } else if ('len' in op) {
          const off = op.op === 'read' || op.op === 'write' ? op.offset ?? 0 : 0;
          if (off + op.len > b.size) out.push({ file, path: `${at}.len`, message: `${off + op.len} bytes from offset ${off} overrun buffer "${name}" (${b.size} bytes)` });
        }
      }
    });
  });
  return out;
};

export const CHECKS: Check[] = [checkOverrides, checkBuffers, checkDevices, checkProcesses, checkSva, checkMtk];

export function checkScenario(s: ScenarioOut, file: string): ScenarioProblem[] {
  return CHECKS.flatMap((c) => c(s, file));
}
