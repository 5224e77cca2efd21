/**
 * Checks of the `mtk` section and the mtk-engine devices that zod cannot express: the
 * section exists when engines do, larbs and ports exist on the SoC, every M4U larb split
 * covers each larb once, buffers and mapping handles are defined before use, and ranges fit.
 */
import { SMI_PLATS } from '../sim/smi/plat.ts';
import type { ScenarioOut } from './schema/index.ts';
import type { ScenarioProblem } from './problems.ts';
import { closest } from './suggest.ts';

export function checkMtk(s: ScenarioOut, file: string): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  const engines = s.devices.map((d, i) => ({ d, i })).filter((x) => x.d.kind === 'mtk-engine');
  if (!s.mtk) {
    if (engines.length) out.push({ file, path: `devices[${engines[0].i}]`, message: 'mtk-engine devices need an "mtk" section', hint: 'add "mtk": { "soc": "mt8183" }' });
    return out;
  }
  const plat = SMI_PLATS[s.mtk.soc];
  const nlarbs = plat.larbPorts.length;
  if (s.mtk.m4u) {
    const seen = new Map<number, number>();
    s.mtk.m4u.forEach((x, i) =>
      x.larbs.forEach((l, j) => {
        const at = `mtk.m4u[${i}].larbs[${j}]`;
        if (l >= nlarbs) out.push({ file, path: at, message: `${s.mtk!.soc} has larbs 0..${nlarbs - 1}, not ${l}` });
        else if (seen.has(l)) out.push({ file, path: at, message: `larb ${l} is already served by mtk.m4u[${seen.get(l)}]` });
        seen.set(l, i);
      }),
    );
    for (let l = 0; l < nlarbs; l++) if (!seen.has(l)) out.push({ file, path: 'mtk.m4u', message: `larb ${l} is served by no M4U` });
  }
  if (s.mtk.protect.addr !== undefined && s.mtk.protect.addr % 128 !== 0) {
    out.push({ file, path: 'mtk.protect.addr', message: 'the protect buffer must be 128-byte aligned (MTK_PROTECT_PA_ALIGN)' });
  }
  const bufs = new Map(s.memory.buffers.map((b) => [b.name, b]));
  for (const { d, i } of engines) {
    if (d.kind !== 'mtk-engine') continue;
    if (d.larb >= nlarbs) {
      out.push({ file, path: `devices[${i}].larb`, message: `${s.mtk.soc} has larbs 0..${nlarbs - 1}, not ${d.larb}` });
      continue;
    }
    if (d.port >= plat.larbPorts[d.larb]) {
      out.push({ file, path: `devices[${i}].port`, message: `larb ${d.larb} of ${s.mtk.soc} has ports 0..${plat.larbPorts[d.larb] - 1}, not ${d.port}` });
    }
    const handles = new Map<string, number>();
    const allocs = new Set<string>();
    d.ops.forEach((op, j) => {
      const at = `devices[${i}].ops[${j}]`;
      const needBuf = (name: string, field: string, off: number, len: number) => {
        const b = bufs.get(name);
        if (!b) {
          const near = closest(name, [...bufs.keys()]);
          out.push({ file, path: `${at}.${field}`, message: `no buffer named "${name}"`, hint: near ? `did you mean "${near}"?` : 'declare it in memory.buffers' });
        } else if (off + len > b.size) out.push({ file, path: `${at}.len`, message: `${len} bytes from offset ${off} overrun buffer "${name}" (${b.size} bytes)` });
      };
      if (op.op === 'map') {
        needBuf(op.buf, 'buf', op.offset, op.len);
        handles.set(op.as, op.len);
        return;
      }
      if (op.op === 'alloc') {
        handles.set(op.as, op.len);
        allocs.add(op.as);
        return;
      }
      if (op.op === 'remap') needBuf(op.buf, 'buf', op.bufOffset, op.len);
      if ((op.op === 'unmap' || op.op === 'remap' || op.op === 'iommu-unmap') && allocs.has(op.map)) {
        out.push({ file, path: `${at}.map`, message: `"${op.map}" came from dma_alloc_attrs ("alloc"); ${op.op} works on dma_map_single mappings`, hint: 'read or write it, or mmap it from a process' });
      }
      if ('map' in op) {
        const size = handles.get(op.map);
        if (size === undefined) {
          const near = closest(op.map, [...handles.keys()]);
          out.push({ file, path: `${at}.map`, message: `no earlier "map" op names "${op.map}"`, hint: near ? `did you mean "${near}"?` : 'map a buffer first with {"op": "map", "as": ...} or allocate one with "alloc"' });
        } else if ('len' in op && (op.offset ?? 0) + op.len > size) {
          out.push({ file, path: `${at}.len`, message: `${op.len} bytes from offset ${op.offset ?? 0} overrun mapping "${op.map}" (${size} bytes)` });
        }
        if (op.op === 'unmap') handles.delete(op.map);
      }
    });
  }
  return out;
}
