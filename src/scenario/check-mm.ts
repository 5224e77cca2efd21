/**
 * Checks of the processes and sva sections that zod cannot express: names that must
 * exist, page alignment, overlapping VMAs, devices bound exactly once.
 */
import type { ScenarioOut } from './schema/index.ts';
import type { ScenarioProblem } from './problems.ts';
import { closest } from './suggest.ts';

const PAGE = 4096;
type Problems = ScenarioProblem[];

function nameRef(out: Problems, file: string, path: string, name: string, known: string[], what: string, hint: string): void {
  if (known.includes(name)) return;
  const near = closest(name, known);
  out.push({ file, path, message: `no ${what} named "${name}"`, hint: near ? `did you mean "${near}"?` : hint });
}

function aligned(out: Problems, file: string, path: string, v: { start: number; size: number }): void {
  if (v.start % PAGE) out.push({ file, path: `${path}.start`, message: `start ${'0x' + v.start.toString(16)} is not page aligned (4 KiB)` });
  if (v.size % PAGE) out.push({ file, path: `${path}.size`, message: `size ${v.size} is not a multiple of the page size (4096)` });
}

export function checkProcesses(s: ScenarioOut, file: string): Problems {
  const out: Problems = [];
  const names = s.processes.map((p) => p.name);
  const children = s.processes.flatMap((p) => p.ops.flatMap((o) => (o.op === 'fork' ? [o.child] : [])));
  const all = [...names, ...children];
  const bound = (s.sva?.bindings ?? []).map((b) => b.device);
  s.processes.forEach((p, i) => {
    const at = `processes[${i}]`;
    if (names.indexOf(p.name) !== i) out.push({ file, path: `${at}.name`, message: `duplicate process name "${p.name}"` });
    p.vmas.forEach((v, j) => {
      aligned(out, file, `${at}.vmas[${j}]`, v);
      if (v.kind === 'file' && !v.file) out.push({ file, path: `${at}.vmas[${j}].file`, message: 'a file mapping needs "file"', hint: 'name the file, e.g. "file": "libfoo.so"' });
    });
    const sorted = p.vmas.map((v, j) => ({ v, j })).sort((a, b) => a.v.start - b.v.start);
    sorted.forEach(({ v, j }, k) => {
      const prev = sorted[k - 1];
      if (prev && prev.v.start + prev.v.size > v.start) out.push({ file, path: `${at}.vmas[${j}]`, message: `overlaps vmas[${prev.j}]` });
    });
    p.ops.forEach((o, j) => {
      const op = `${at}.ops[${j}]`;
      if (o.process !== undefined) nameRef(out, file, `${op}.process`, o.process, all, 'process', 'name a process or a fork child');
      if ('size' in o && 'start' in o) aligned(out, file, op, o as { start: number; size: number });
      if (o.op === 'ksm' && o.with.process !== undefined) nameRef(out, file, `${op}.with.process`, o.with.process, all, 'process', 'name a process');
      if (o.op === 'unbind') nameRef(out, file, `${op}.device`, o.device, bound, 'bound device', 'bind it in sva.bindings');
      if (o.op === 'fork' && all.filter((x) => x === o.child).length > 1) out.push({ file, path: `${op}.child`, message: `process name "${o.child}" is used twice` });
      if (o.op === 'mmap' && o.kind === 'file' && !o.file) out.push({ file, path: `${op}.file`, message: 'a file mapping needs "file"' });
    });
  });
  return out;
}

export function checkSva(s: ScenarioOut, file: string): Problems {
  const out: Problems = [];
  const svaDevs = s.devices.filter((d) => d.kind === 'sva-device').map((d) => d.name);
  const procs = s.processes.map((p) => p.name);
  const bound = new Set<string>();
  (s.sva?.bindings ?? []).forEach((b, i) => {
    const at = `sva.bindings[${i}]`;
    nameRef(out, file, `${at}.device`, b.device, svaDevs, 'sva-device', 'declare it in devices with "kind": "sva-device"');
    nameRef(out, file, `${at}.process`, b.process, procs, 'process', 'declare it in processes');
    if (bound.has(b.device)) out.push({ file, path: `${at}.device`, message: `device "${b.device}" is bound twice`, hint: 'one binding per device' });
    bound.add(b.device);
  });
  for (const r of ['native', 'host'] as const) {
    const p = s.sva?.pasid[r];
    if (p && p.min > p.max) out.push({ file, path: `sva.pasid.${r}`, message: `min ${p.min} is above max ${p.max}` });
  }
  s.devices.forEach((d, i) => {
    if (d.kind === 'sva-device' && !bound.has(d.name)) {
      out.push({ file, path: `devices[${i}]`, message: `sva-device "${d.name}" has no binding`, hint: 'add it to sva.bindings with a process and an iommu' });
    }
  });
  return out;
}
