/**
 * `info iommu | pt | iotlb | smi | swiotlb | notifiers`: the models' read-only views as
 * text in the kernel's words. Each topic needs its model; without it the registry answers
 * "no such model in this scenario".
 */
import { hex, hex32 } from '../../sim/core/hex.ts';
import { MTK_MODEL, type MtkState } from '../../sim/iommu/mtk/state.ts';
import { mtkIommuStatus, mtkIotlbEntries, smiStatus } from '../../sim/iommu/mtk/status.ts';
import { armV7sTableEntries, armV7sWalk } from '../../sim/pgtable/arm-v7s/index.ts';
import type { ArmV7sDecodedPte } from '../../sim/pgtable/arm-v7s/index.ts';
import { mmStatus, notifierChains, pasidStatus, svaDevicesStatus } from '../../sim/mm/status.ts';
import { SWIOTLB_MODEL } from '../../sim/dma/swiotlb-state.ts';
import { SMI_MODEL } from '../../sim/smi/state.ts';
import { MM_MODEL } from '../../sim/mm/state.ts';
import { SVA_MODEL } from '../../sim/mm/pasid.ts';
import type { Machine } from '../../sim/machine.ts';
import { AMD_MODEL } from '../../sim/iommu/amd/state.ts';
import { amdIotlbEntries, amdStatus } from '../../sim/iommu/amd/status.ts';
import { swiotlbInfo } from './swiotlb-info.ts';
import { VTD_MODEL } from '../../sim/iommu/intel/state.ts';
import { vtdPtInfo } from './vtd.ts';
import { registerInspector } from './registry.ts';

function describePte(d: ArmV7sDecodedPte): string {
  if (d.type === 'invalid') return 'invalid';
  if (d.type === 'table') return `table -> L2 @${hex(d.oa)}${d.ns ? ' NS' : ''}`;
  const flags = [
    d.ap2 ? 'RO' : 'RW',
    d.ap1 ? 'unpriv' : '',
    d.xn ? 'XN' : '',
    `TEX=${d.tex ?? 0}`,
    d.c ? 'C' : '',
    d.b ? 'B' : '',
    d.s ? 'S' : '',
    d.ng ? 'nG' : '',
    d.ns ? 'NS' : '',
    d.mtkPa32 ? 'PA[32]' : '',
    d.mtkPa33 ? 'PA[33]' : '',
  ].filter(Boolean);
  return `${d.type} ${d.size / 1024}K -> ${hex(d.oa)}  ${flags.join(' ')}`;
}

function mtk(m: Machine): MtkState {
  return m.model(MTK_MODEL);
}

/** The kernel's initializer and how many zero-filled slots follow: "{0,4,5,6,7,2,3,1} +8 zero". */
function remapText(remap: readonly number[]): string {
  let n = remap.length;
  while (n > 1 && remap[n - 1] === 0) n--;
  return `{${remap.slice(0, n).join(',')}}${n < remap.length ? ` +${remap.length - n} zero` : ''}`;
}

registerInspector({
  name: 'iommu',
  usage: 'info iommu',
  summary: 'IOMMUs: driver, M4U instances, PT_BASE, fault status, per-cell traffic and IOTLB hit rate',
  models: [MTK_MODEL],
  run: ({ machine: m }) => {
    const v = mtkIommuStatus(m);
    const lines = [`mtk M4U (${v.soc}), driver ${v.driver}, 4GB mode ${v.enable4GB ? 'on' : 'off'}, larbid_remap ${remapText(v.larbidRemap)}`];
    for (const i of v.m4u) {
      lines.push(`  ${i.name}: larbs ${i.larbs.join(',')}  PT_BASE ${hex32(i.ptBase)}  FAULT_ST1 ${hex32(i.faultSt1)}${i.irqPending ? ' (irq pending)' : ''}  protect ${hex(i.protectBase)}`);
      for (const c of i.cells) {
        const n = c.hits + c.misses;
        const rate = n ? `${Math.round((1000 * c.hits) / n) / 10}%` : '-';
        const byPort = Object.entries(c.faultsByPort).map(([p, n]) => `${p}:${n}`).join(' ');
        lines.push(`    ${c.mmu}: reads ${c.reads} writes ${c.writes}  iotlb ${c.iotlbValid}/${c.iotlbSize} hit ${rate} (${c.hits}/${c.hits + c.misses})  walks ${c.walks}  faults ${c.faults}${byPort ? ` [${byPort}]` : ''}`);
      }
    }
    return lines;
  },
});

registerInspector({
  name: 'pt',
  usage: 'info pt [DOMAIN] [IOVA]',
  summary: 'Page table of a domain (M4U or VT-d): populated entries, or the walk of IOVA level by level',
  models: [MTK_MODEL, VTD_MODEL],
  run: ({ machine: m }, args) => {
    if (m.hasModel(VTD_MODEL) && (!m.hasModel(MTK_MODEL) || args[0]?.startsWith('vtd-'))) return vtdPtInfo(m, args);
    const pt = mtk(m).pgtable;
    if (!pt) return ['no domain attached yet (the first attach allocates the page table)'];
    const rest = args.filter((a) => a !== pt.domain);
    const bad = args.find((a) => a !== pt.domain && !/^(0x)?[0-9a-f]+$/i.test(a));
    if (bad) return [`no domain "${bad}": this scenario has ${pt.domain}`];
    if (rest.length) {
      const iova = parseInt(rest[0], 16);
      const lines = [`walk of ${hex(iova)} in ${pt.domain} (L1 @${hex(pt.pgd)})`];
      for (const s of armV7sWalk(m, pt, iova)) {
        lines.push(`  L${s.lvl}[${hex(s.index)}] @${hex(s.pteAddr)} = ${hex32(s.pte)}  ${describePte(s.decoded)}`);
      }
      return lines;
    }
    const lines = [`${pt.domain}: ARM v7s, L1 @${hex(pt.pgd)}, ${pt.l2Count} L2 tables`];
    for (const e of armV7sTableEntries(m, pt, 1, pt.pgd)) {
      lines.push(`  L1[${hex(e.index)}] iova ${hex(e.index * 0x10_0000)}  ${hex32(e.pte)}  ${describePte(e.decoded)}`);
    }
    return lines;
  },
});

registerInspector({
  name: 'iotlb',
  usage: 'info iotlb',
  summary: 'IOTLB entries per M4U cell and per AMD IOMMU (stale ones marked) and each SVA device IOTLB (ATC)',
  models: [MTK_MODEL, AMD_MODEL, SVA_MODEL, MM_MODEL],
  run: ({ machine: m }) => {
    const lines: string[] = [];
    if (m.hasModel(MTK_MODEL)) {
      mtk(m).m4u.forEach((inst, i) =>
        inst.cells.forEach((_c, ci) => {
          const es = mtkIotlbEntries(m, i, ci);
          lines.push(`${inst.name}.mmu${ci} IOTLB: ${es.length} valid`);
          for (const e of es) lines.push(`  [${e.slot}] iova ${hex(e.iova)} -> ${hex(e.pa)} ${e.size / 1024}K  pte ${hex32(e.pte)}@${hex(e.ptePa)}${e.stale ? '  STALE (page table changed)' : ''}`);
        }),
      );
    }
    amdStatus(m)?.iommus.forEach((io, i) => {
      const es = amdIotlbEntries(m, i);
      lines.push(`${io.name} IOTLB: ${es.length} valid (tagged by domain ID)`);
      for (const e of es) lines.push(`  [${e.slot}] domid ${e.domid} iova ${hex(e.iova)} -> ${hex(e.pa)} ${e.size / 1024}K ${e.ir ? 'R' : '-'}${e.iw ? 'W' : '-'}${e.stale ? '  STALE (page table changed)' : ''}`);
    });
    for (const d of svaDevicesStatus(m)) {
      lines.push(`${d.dev} ATC (${d.iommu}, pasid ${d.pasid}): ${d.atc.length}/${d.atcSize}  hits ${d.hits} misses ${d.misses} page requests ${d.pageRequests}`);
      for (const e of d.atc) lines.push(`  [${e.index}] pasid ${e.pasid} va ${hex(e.va)} -> ${hex(e.pa)} ${e.write ? 'rw' : 'r'}`);
    }
    return lines.length ? lines : ['no IOTLBs in this scenario'];
  },
});

registerInspector({
  name: 'smi',
  usage: 'info smi',
  summary: 'SMI: common (clocks, power, SMI_BUS_SEL), larbs with bus selection, power, ports',
  models: [SMI_MODEL],
  run: ({ machine: m }) => {
    const v = smiStatus(m);
    const onOff = (on: boolean) => (on ? 'on' : 'off');
    // EMI <- mmu0/mmu1 <- GALS <- common <- larbs, as the larb-bus panel draws it.
    const topology = [
      'EMI',
      ...v.m4u.map((name) => `${name}: mmu0, mmu1`),
      v.hasGals ? 'GALS (gals0, gals1)' : 'no GALS',
      'smi-common',
      ...v.larbs.map((l) => `larb${l.id} (${l.name})${l.direct ? ' direct' : ''} -> ${l.m4u}.${l.mmu}`),
    ];
    const lines = [
      `SMI ${v.soc}: common power ${onOff(v.common.powered)} (refcount ${v.common.refcount}) clocks [${v.common.clocks.join(',')}] SMI_BUS_SEL ${hex32(v.common.busSel)}`,
      ...topology.map((t) => `  ${t}`),
    ];
    for (const l of v.larbs) {
      const used = l.ports.filter((p) => p.attached || p.reads || p.writes || p.faults);
      lines.push(`  larb${l.id} ${l.name}: ${l.m4u}.${l.mmu} power ${onOff(l.powered)} (refcount ${l.refcount}) clocks [${l.clocks.join(',')}]${l.blocked ? ` refused ${l.blocked}` : ''}`);
      for (const p of used) lines.push(`    port${p.port} (M4U id ${hex(p.m4uId)}) mmu ${p.mmuEnabled ? 'on' : 'off'} reads ${p.reads} writes ${p.writes} faults ${p.faults}`);
    }
    return lines;
  },
});

registerInspector({
  name: 'swiotlb',
  usage: 'info swiotlb [slots FROM [N] | segments]',
  summary: 'SWIOTLB pool: cursor, free runs, largest run, last "buffer is full", max mapping size',
  models: [SWIOTLB_MODEL],
  run: ({ machine: m }, args) => swiotlbInfo(m, args),
});

registerInspector({
  name: 'notifiers',
  usage: 'info notifiers',
  summary: 'Processes: notifier subscribers in call order, VMAs and their pages, PASIDs',
  models: [MM_MODEL],
  run: ({ machine: m }) => {
    const lines: string[] = [];
    const mms = mmStatus(m);
    notifierChains(m).forEach((c, i) => {
      lines.push(`mm ${c.mm}: ${c.subscribers.length} subscriber(s), called newest first`);
      for (const s of c.subscribers) lines.push(`  ${s.name} (${s.kind}${s.pasid >= 0 ? `, pasid ${s.pasid}` : ''}) ops ${s.ops.join(', ')}  calls ${s.calls}`);
      for (const v of mms[i].vmas) {
        const present = mms[i].ptes.filter((p) => p.present && p.va >= v.start && p.va < v.end);
        const pages = (v.end - v.start) / 4096;
        const what = v.kind === 'driver' ? `driver (${v.file}) pgoff ${v.pgoff}` : v.kind === 'file' ? `file ${v.file} pgoff ${v.pgoff}` : v.kind;
        lines.push(`  vma ${hex(v.start)}-${hex(v.end)} ${v.write ? 'rw' : 'r'} ${v.shared ? 'shared' : 'private'} ${what}: ${present.length}/${pages} pages present`);
        for (const p of present.slice(0, 16)) lines.push(`    ${hex(p.va)} -> ${hex(p.pa)}${p.write ? ' rw' : ' ro'}`);
        if (present.length > 16) lines.push(`    … ${present.length - 16} more present pages`);
      }
    });
    const p = pasidStatus(m);
    if (p) lines.push(`PASIDs: allocator ${p.allocator} range [${p.min}, ${p.max}] in use [${p.used.join(',')}]`);
    return lines.length ? lines : ['no processes'];
  },
});
