/**
 * `info amd [DEV [IOVA] | cmds [N] | events [N] | iotlb]` and `info iova [DOMAIN]`: the AMD
 * model's read-only view as text in the kernel's words (DTE words, command and event words,
 * dev_iommu[] counts, the IOVA allocator's tree, range caches and flush queue).
 */
import { hex, hex32 } from '../../sim/core/hex.ts';
import { hex64Text } from '../../sim/trace/field.ts';
import { w64 } from '../../sim/iommu/amd/words.ts';
import { devidText } from '../../sim/iommu/amd/hw.ts';
import { AMD_MODEL } from '../../sim/iommu/amd/state.ts';
import {
  type AmdDteStatus,
  type AmdStatus,
  type AmdWalkStatus,
  amdCmdTail,
  amdDeviceWalk,
  amdEventLog,
  amdIotlbEntries,
  amdStatus,
} from '../../sim/iommu/amd/status.ts';
import { IOMMU_MODEL } from '../../sim/iommu/types.ts';
import { IOVA_ANCHOR } from '../../sim/iommu/iova.ts';
import type { Machine } from '../../sim/machine.ts';
import { registerInspector } from './registry.ts';

const word64 = (lo: number, hi: number): string => hex64Text(w64(lo, hi));
const bits = (mode: number): string => (mode >= 6 ? '64-bit' : `${12 + 9 * mode}-bit`);

/** "V TV mode 3 root 0x8000b000 IR IW domid 1" */
export function dteText(d: AmdDteStatus): string {
  const f = [d.valid ? 'V' : '', d.translationValid ? 'TV' : '', `mode ${d.mode}`, d.mode ? `root ${hex(d.root)}` : '', d.ir ? 'IR' : '', d.iw ? 'IW' : '', `domid ${d.domid}`, d.iotlb ? 'IOTLB' : '']
    .filter(Boolean)
    .join(' ');
  const meaning = !d.valid || !d.translationValid ? 'no translation' : d.mode === 0 ? (d.ir || d.iw ? 'untranslated' : 'DMA blocked') : `${bits(d.mode)} I/O page table`;
  return `${f} (${meaning})`;
}

const size = (n: number): string => (n >= 2 ** 30 ? `${n / 2 ** 30}G` : n >= 2 ** 20 ? `${n / 2 ** 20}M` : `${n / 1024}K`);

/** One level of a walk: "L1[0x1ff] @0x8000cff8 = 0x600000008000d201  PDE -> L0 table @0x8000d000". */
export function walkStepText(w: AmdWalkStatus): string {
  const head = `L${w.level}[${hex(w.index)}] @${hex(w.addr)} = ${word64(w.lo, w.hi)}`;
  if (!w.present) return `${head}  not present -> IO_PAGE_FAULT`;
  const perm = `${w.ir ? 'IR' : ''}${w.iw ? (w.ir ? '|IW' : 'IW') : ''}${w.fc ? ' FC' : ''}`;
  if (w.leafSize !== undefined) return `${head}  ${w.next === 7 ? 'large page (next 7)' : 'page'} ${size(w.leafSize)} -> ${hex(w.addr64 - (w.addr64 % w.leafSize))} ${perm}`;
  if (w.next - 1 >= w.level) return `${head}  next level ${w.next}: malformed`;
  return `${head}  PDE -> L${w.next - 1} table @${hex(w.addr64)}`;
}

function summary(v: AmdStatus): string[] {
  const lines = [`AMD IOMMU, ${v.release} driver: ${v.fullflush ? 'strict unmap (amd_iommu=fullflush)' : 'lazy IO/TLB flushing (flush queue)'}${v.npCache ? ', NP cache' : ''}`];
  for (const i of v.iommus) {
    const n = i.hits + i.misses;
    lines.push(
      `  ${i.name} (${devidText(i.devid)}): cmd buf @${hex(i.cmdBase)} head ${hex(i.cmdHead)} tail ${hex(i.cmdTail)} (${i.cmds} commands, ${i.waits} completion waits)`,
      `    event log @${hex(i.evtBase)} head ${hex(i.evtHead)} tail ${hex(i.evtTail)} (${i.events} events${i.evtDropped ? `, ${i.evtDropped} dropped: log full` : ''}${i.evtIrq ? ', interrupt pending' : ''})`,
      `    IOTLB ${i.iotlbValid}/${i.iotlbSize}  hit ${n ? `${Math.round((1000 * i.hits) / n) / 10}%` : '-'} (${i.hits}/${n})  walks ${i.walks}  faults ${i.faults}  reads ${i.reads} writes ${i.writes}`,
    );
  }
  lines.push(`domains (IDs in use: ${v.usedIds.join(', ') || 'none'}; the next one gets the lowest free):`);
  for (const d of v.domains) {
    if (d.freed) {
      lines.push(`  ${d.name}  id ${d.id} (freed)${d.ptPages ? `  ${d.ptPages} page-table pages never freed (v5.0 free_pagetable)` : ''}`);
      continue;
    }
    lines.push(`  ${d.name}  id ${d.id}  ${d.type}  mode ${d.mode} (${bits(d.mode)})  root ${hex(d.root)}  dev_iommu ${d.devIommu.join(',')}  dev_cnt ${d.devCnt}  [${d.devs.join(' ')}]  pt pages ${d.ptPages}`);
  }
  lines.push('devices:');
  for (const d of v.devices) {
    lines.push(`  ${d.name}  ${d.bdf} behind ${d.iommu} -> ${d.domain !== undefined ? `${d.domain} (id ${d.domainId})` : 'no domain'}  live mappings ${d.live}${d.alias !== d.devid ? `  alias ${devidText(d.alias)}` : ''}`);
    lines.push(`    DTE ${devidText(d.devid)} data[0] ${word64(d.dte.words[0], d.dte.words[1])} data[1] ${word64(d.dte.words[2], d.dte.words[3])}: ${dteText(d.dte)}`);
  }
  if (v.mismatches) lines.push(`dma-mismatch findings: ${v.mismatches}`);
  return lines;
}

function iommuIndex(v: AmdStatus, name: string | undefined): number {
  return name === undefined ? 0 : v.iommus.findIndex((i) => i.name === name);
}

function cmdLines(m: Machine, v: AmdStatus, args: readonly string[]): string[] {
  const named = args.find((a) => v.iommus.some((i) => i.name === a));
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 16);
  const out: string[] = [];
  v.iommus.forEach((io, i) => {
    if (named !== undefined && io.name !== named) return;
    out.push(`${io.name} command buffer: head ${hex(io.cmdHead)} tail ${hex(io.cmdTail)}, last ${Math.min(n, io.cmds)} of ${io.cmds}:`);
    for (const c of amdCmdTail(m, i, n)) out.push(`  [${String(c.slot).padStart(3)}] ${c.words.map(hex32).join(' ')}  ${c.name}`);
  });
  return out;
}

function eventLines(m: Machine, v: AmdStatus, args: readonly string[]): string[] {
  const named = args.find((a) => v.iommus.some((i) => i.name === a));
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 16);
  const out: string[] = [];
  v.iommus.forEach((io, i) => {
    if (named !== undefined && io.name !== named) return;
    out.push(`${io.name} event log: head ${hex(io.evtHead)} tail ${hex(io.evtTail)}, ${io.events} written:`);
    for (const e of amdEventLog(m, i, n)) {
      out.push(
        `  [${String(e.slot).padStart(3)}] ${e.words.map(hex32).join(' ')}  ${e.type} device=${devidText(e.devid)} domain=0x${e.domain.toString(16).padStart(4, '0')} address=0x${e.address.toString(16)} flags=0x${e.flags.toString(16).padStart(4, '0')}${e.pending ? '  (not read yet)' : ''}`,
      );
    }
  });
  return out;
}

function iotlbLines(m: Machine, v: AmdStatus): string[] {
  const out: string[] = [];
  v.iommus.forEach((io, i) => {
    const es = amdIotlbEntries(m, i);
    out.push(`${io.name} IOTLB: ${es.length}/${io.iotlbSize} valid`);
    for (const e of es) out.push(`  [${e.slot}] domid ${e.domid} iova ${hex(e.iova)} -> ${hex(e.pa)} ${size(e.size)} ${e.ir ? 'R' : '-'}${e.iw ? 'W' : '-'}${e.stale ? '  STALE (page table changed)' : ''}`);
  });
  return out;
}

function deviceLines(m: Machine, v: AmdStatus, dev: string, iovaText: string | undefined): string[] {
  const d = v.devices.find((x) => x.name === dev)!;
  const lines = [
    `${d.name} ${d.bdf} behind ${d.iommu} -> ${d.domain ?? 'no domain'}`,
    `  DTE ${devidText(d.devid)} data[0] ${word64(d.dte.words[0], d.dte.words[1])} data[1] ${word64(d.dte.words[2], d.dte.words[3])}`,
    `    ${dteText(d.dte)}`,
  ];
  if (iovaText === undefined) return lines;
  const iova = parseInt(iovaText, 16);
  const w = amdDeviceWalk(m, dev, iova)!;
  if (!w.steps.length) return [...lines, `  ${hex(iova)}: no walk (${dteText(d.dte)})`];
  return [...lines, `  walk of ${hex(iova)}:`, ...w.steps.map((s) => `    ${walkStepText(s)}`)];
}

registerInspector({
  name: 'amd',
  usage: 'info amd [DEV [IOVA]|cmds|events|iotlb]',
  summary: 'AMD IOMMUs: command buffer and event log, IOTLB, domains (IDs, dev_iommu counts), devices and their DTEs, a walk',
  models: [AMD_MODEL],
  run: ({ machine: m }, args) => {
    const v = amdStatus(m)!;
    const [first, ...rest] = args;
    if (first === undefined) return summary(v);
    if (first === 'cmds') return cmdLines(m, v, rest);
    if (first === 'events') return eventLines(m, v, rest);
    if (first === 'iotlb') return iotlbLines(m, v);
    if (v.devices.some((d) => d.name === first)) {
      const bad = rest[0] !== undefined && !/^(0x)?[0-9a-f]+$/i.test(rest[0]);
      if (bad) return [`"${rest[0]}" is not an IOVA (write it like 0xffff9000)`];
      return deviceLines(m, v, first, rest[0]);
    }
    if (iommuIndex(v, first) >= 0) return [...cmdLines(m, v, [first]), ...eventLines(m, v, [first])];
    return [`no device or subcommand "${first}": devices ${v.devices.map((d) => d.name).join(', ')}; subcommands cmds, events, iotlb`];
  },
});

const span = (lo: number, hi: number): string => `${hex(lo * 4096)}..${hex((hi + 1) * 4096)}`;

registerInspector({
  name: 'iova',
  usage: 'info iova [DOMAIN]',
  summary: 'IOVA allocators (drivers/iommu/iova.c): allocated ranges, per-CPU range caches, the flush queue',
  models: [AMD_MODEL, IOMMU_MODEL],
  run: ({ machine: m }, args) => {
    const lines: string[] = [];
    const v = amdStatus(m);
    for (const d of v?.domains ?? []) {
      if (!d.iova || (args[0] !== undefined && args[0] !== d.name)) continue;
      const now = m.state.now;
      lines.push(`${d.name} (id ${d.id}${d.freed ? ', freed' : ''}): ${d.iova.ranges.length} ranges`);
      for (const r of d.iova.ranges) {
        const what = r.reserved ? '  reserved' : r.leaked ? '  LEAKED: allocated, owned by no mapping, cache or flush queue' : '';
        lines.push(`  pfn ${hex(r.lo)}..${hex(r.hi)}  iova ${span(r.lo, r.hi)}  ${r.hi - r.lo + 1} pages${what}`);
      }
      for (const r of d.iova.rcache) {
        const bad = r.unknown.length ? `  <- ${r.unknown.map(hex).join(' ')}: no range holds it, not a pfn (a byte address: v5.0-rc3 map_sg)` : '';
        lines.push(`  rcache bin ${r.bin} (${2 ** r.bin} pages): ${r.pfns.map(hex).join(' ')}${bad}`);
      }
      if (d.iova.fq.length) {
        lines.push(`  flush queue: ${d.iova.fq.length} waiting${d.iova.timerOn ? ', 10 ms timer armed' : ''}`);
        for (const e of d.iova.fq) lines.push(`    pfn ${hex(e.pfn)} ${e.pages} pages${e.queuedAt !== undefined ? `  unmapped ${now - e.queuedAt} ns ago (still in the IOTLB until the flush)` : ''}`);
      }
    }
    const core = m.findModel(IOMMU_MODEL);
    for (const d of core?.domains ?? []) {
      if (args[0] !== undefined && args[0] !== d.name) continue;
      const ranges = d.iovad.nodes.filter((n) => n.lo !== IOVA_ANCHOR);
      lines.push(`${d.name}: ${ranges.length} ranges`);
      for (const r of ranges) lines.push(`  pfn ${hex(r.lo)}..${hex(r.hi)}  iova ${span(r.lo, r.hi)}  ${r.hi - r.lo + 1} pages`);
    }
    if (!lines.length) return [args[0] !== undefined ? `no IOVA domain "${args[0]}"` : 'no IOVA domains in this scenario'];
    return lines;
  },
});
