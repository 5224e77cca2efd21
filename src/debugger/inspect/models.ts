/**
 * `info iommu | pt | iotlb | smi | swiotlb | notifiers`: the models' read-only views as
 * text in the kernel's words. Each topic needs its model; without it the registry answers
 * "no such model in this scenario".
 */
import { hex, hex32 } from '../../sim/core/hex.ts';
import { MTK_MODEL, type MtkState } from '../../sim/iommu/mtk/state.ts';
import { mtkIommuView, mtkIotlbView, smiView } from '../../sim/iommu/mtk/view.ts';
import { armV7sWalk, decodePte } from '../../sim/pgtable/arm-v7s/index.ts';
import type { ArmV7sDecodedPte } from '../../sim/pgtable/arm-v7s/index.ts';
import { read32 } from '../../sim/mem/phys.ts';
import { notifierChains, pasidView, svaDeviceViews } from '../../sim/mm/view.ts';
import { SWIOTLB_MODEL } from '../../sim/dma/swiotlb-state.ts';
import type { Machine } from '../../sim/machine.ts';
import { swiotlbInfo } from './swiotlb-info.ts';
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
  return m.model<MtkState>(MTK_MODEL);
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
    const v = mtkIommuView(m);
    const lines = [`mtk M4U (${v.soc}), driver ${v.driver}, 4GB mode ${v.enable4GB ? 'on' : 'off'}, larbid_remap ${remapText(v.larbidRemap)}`];
    for (const i of v.m4u) {
      lines.push(`  ${i.name}: larbs ${i.larbs.join(',')}  PT_BASE ${i.ptBase}  FAULT_ST1 ${i.faultSt1}${i.irqPending ? ' (irq pending)' : ''}  protect ${i.protect}`);
      for (const c of i.cells) {
        const rate = c.hitRatePct === null ? '-' : `${c.hitRatePct}%`;
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
  summary: 'Page table of the M4U domain: populated L1 entries, or the walk of IOVA level by level',
  models: [MTK_MODEL],
  run: ({ machine: m }, args) => {
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
    for (let i = 0; i < 4096; i++) {
      const pte = read32(m.state.mem, pt.pgd + 4 * i);
      if ((pte & 3) === 0) continue;
      lines.push(`  L1[${hex(i)}] iova ${hex(i * 0x10_0000)}  ${hex32(pte)}  ${describePte(decodePte(pte, 1, pt.cfg))}`);
    }
    return lines;
  },
});

registerInspector({
  name: 'iotlb',
  usage: 'info iotlb',
  summary: 'IOTLB entries per M4U cell (stale ones marked) and each SVA device IOTLB (ATC)',
  models: [MTK_MODEL, 'sva', 'mm'],
  run: ({ machine: m }) => {
    const lines: string[] = [];
    if (m.hasModel(MTK_MODEL)) {
      mtk(m).m4u.forEach((inst, i) =>
        inst.cells.forEach((_c, ci) => {
          const es = mtkIotlbView(m, i, ci);
          lines.push(`${inst.name}.mmu${ci} IOTLB: ${es.length} valid`);
          for (const e of es) lines.push(`  [${e.slot}] iova ${e.iova} -> ${e.pa} ${e.size / 1024}K  pte ${e.pte}@${e.ptePa}${e.stale ? '  STALE (page table changed)' : ''}`);
        }),
      );
    }
    for (const d of svaDeviceViews(m)) {
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
  models: ['smi'],
  run: ({ machine: m }) => {
    const v = smiView(m);
    const lines = [
      `SMI ${v.soc}: common power ${v.common.power} (refcount ${v.common.refcount}) clocks [${v.common.clocks.join(',')}] SMI_BUS_SEL ${v.common.busSel}`,
      ...v.topology.map((t) => `  ${t}`),
    ];
    for (const l of v.larbs) {
      const used = l.ports.filter((p) => p.attached || p.reads || p.writes || p.faults);
      lines.push(`  larb${l.id} ${l.name}: ${l.m4u}.${l.mmu} power ${l.power} (refcount ${l.refcount}) clocks [${l.clocks.join(',')}]${l.blocked ? ` refused ${l.blocked}` : ''}`);
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
  summary: 'Processes, their mmu notifier subscribers in call order, and PASIDs',
  models: ['mm'],
  run: ({ machine: m }) => {
    const lines: string[] = [];
    for (const c of notifierChains(m)) {
      lines.push(`mm ${c.mm}: ${c.subscribers.length} subscriber(s), called newest first`);
      for (const s of c.subscribers) lines.push(`  ${s.name} (${s.kind}${s.pasid >= 0 ? `, pasid ${s.pasid}` : ''}) ops ${s.ops.join(', ')}  calls ${s.calls}`);
    }
    const p = pasidView(m);
    if (p) lines.push(`PASIDs: allocator ${p.allocator} range ${p.range} in use [${p.used.join(',')}]`);
    return lines.length ? lines : ['no processes'];
  },
});
