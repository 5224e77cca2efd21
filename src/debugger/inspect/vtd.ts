/**
 * `info vtd [iotlb]` and the VT-d half of `info pt DOMAIN [IOVA]`: the DMAR units (CAP/ECAP
 * decoded, registers, fault records, IOTLB), the domains, and per device the root, context
 * and PASID entries its requester id reaches, as text in the VT-d spec's words.
 */
import { ridText } from '../../sim/pci/bdf.ts';
import { hex, hex32 } from '../../sim/core/hex.ts';
import { hex64Text } from '../../sim/trace/field.ts';
import type { Machine } from '../../sim/machine.ts';
import { VTD_MODEL } from '../../sim/iommu/intel/state.ts';
import { type VtdDeviceStatus, vtdDomainLeaves, vtdDomainWalk, vtdIotlbEntries, vtdStatus } from '../../sim/iommu/intel/status.ts';
import { PGTT_NAMES } from '../../sim/iommu/intel/entries.ts';
import type { VtdPteDecoded } from '../../sim/pgtable/vtd/index.ts';
import { registerInspector } from './registry.ts';

const yn = (b: boolean): string => (b ? 'yes' : 'no');
const words = (w: readonly bigint[]): string => w.map(hex64Text).join(' ');
const size = (n: number): string => (n >= 1 << 30 ? `${n / 2 ** 30}G` : n >= 1 << 20 ? `${n / 2 ** 20}M` : `${n / 1024}K`);
const bdf = ridText;

export function describeVtdPte(d: VtdPteDecoded): string {
  if (!d.present) return 'not present (R=0 W=0)';
  const rw = `${d.read ? 'R' : '-'}${d.write ? 'W' : '-'}${d.snoop ? ' SNP' : ''}`;
  return d.type === 'table' ? `table -> ${hex(d.addr)} ${rw}` : `page ${size(d.size)} -> ${hex(d.addr)} ${rw}${d.superpage ? ' superpage' : ''}`;
}

function deviceLines(d: VtdDeviceStatus): string[] {
  const head = `  ${d.dev} ${d.bdf}${d.rid !== d.bdf ? ` (DMA carries ${d.rid})` : ''} (${d.driver}) on ${d.unit} -> ${d.domain ? `${d.domain} did ${d.did}` : 'no domain'}`;
  const out = [head];
  if (!d.root) return [...out, '    no root table yet'];
  out.push(`    root[${hex(d.root.index)}] @${hex(d.root.addr)} ${words(d.root.words)}  ${d.root.decoded.present ? `present, context table ${hex(d.root.decoded.table)}` : 'not present (fault reason 1)'}`);
  const c = d.context;
  if (!c) return out;
  if (!c.decoded.present) return [...out, `    context[${hex(c.index)}] @${hex(c.addr)} ${words(c.words)}  not present (fault reason 2)`];
  out.push(
    d.scalable
      ? `    context[${hex(c.index)}] @${hex(c.addr)} ${words(c.words)}  P PDTS=${c.decoded.pdts} (${2 ** (c.decoded.pdts + 7)} dir entries) PASID dir ${hex(c.decoded.pasidDir)} RID_PASID=${c.decoded.rid2pasid}`
      : `    context[${hex(c.index)}] @${hex(c.addr)} ${words(c.words)}  P TT=${c.decoded.tt} AW=${c.decoded.aw} (${c.decoded.aw + 2} levels) DID=${c.decoded.did} SLPTPTR=${hex(c.decoded.slptptr)}${c.decoded.fpd ? ' FPD' : ''}`,
  );
  if (d.pasidDir) out.push(`    pasid-dir[${d.pasidDir.index}] @${hex(d.pasidDir.addr)} ${words(d.pasidDir.words)}  ${d.pasidDir.decoded.present ? `present, PASID table ${hex(d.pasidDir.decoded.table)}` : 'not present'}`);
  if (d.pasid) {
    const p = d.pasid.decoded;
    const didNote = d.did !== undefined && p.present && p.pgtt === 2 && p.did !== d.did ? ` (the domain's id is ${d.did})` : '';
    out.push(`    pasid[${d.pasid.index}] @${hex(d.pasid.addr)} ${words(d.pasid.words.slice(0, 3))} …`);
    out.push(
      p.present
        ? `      P PGTT=${p.pgtt} (${PGTT_NAMES[p.pgtt] ?? '?'}) AW=${p.aw} DID=${p.did}${didNote} PWSNP=${p.pwsnp ? 1 : 0}${p.sre ? ' SRE' : ''} SLPTPTR=${hex(p.slptptr)}`
        : '      not present',
    );
  }
  for (const e of d.pasids ?? []) {
    const p = e.decoded;
    out.push(`    pasid ${e.index} @${hex(e.addr)} ${words(e.words.slice(0, 3))} …`);
    out.push(`      P PGTT=${p.pgtt} (${PGTT_NAMES[p.pgtt] ?? '?'}) AW=${p.aw} DID=${p.did} PWSNP=${p.pwsnp ? 1 : 0}${p.sre ? ' SRE' : ''} SLPTPTR=${hex(p.slptptr)}${p.pgtt === 3 || p.pgtt === 1 ? ` FLPTR=${hex(p.flptr)}${p.pgtt === 3 ? ' (GPA)' : ''} FLPM=${p.flpm}` : ''}`);
  }
  return out;
}

function vtdInfo(m: Machine, args: readonly string[]): string[] {
  const v = vtdStatus(m)!;
  if (args[0] === 'iotlb') {
    const lines: string[] = [];
    v.units.forEach((u, i) => {
      const es = vtdIotlbEntries(m, i);
      lines.push(`${u.name} IOTLB: ${es.length}/${u.iotlbSize} valid, hits ${u.hits} misses ${u.misses}`);
      for (const e of es) {
        lines.push(`  [${e.slot}] did ${e.did}${e.pasid >= 0 ? ` pasid ${e.pasid}` : ''} iova ${hex(e.iova)} -> ${hex(e.pa)} ${size(e.size)} ${e.read ? 'R' : '-'}${e.write ? 'W' : '-'}  leaf ${hex64Text(BigInt(e.leaf))}${e.stale ? '  STALE (page table changed)' : ''}`);
      }
    });
    return lines;
  }
  if (args.length) return [`info vtd takes nothing or "iotlb", not "${args.join(' ')}"`];
  const lines = [
    `VT-d, ${v.release} driver, intel_iommu=${v.cmdline || '(none)'}: scalable mode ${v.sm ? 'on' : 'off'}, ${v.strict ? 'strict (flush at unmap)' : 'lazy (flush queue)'}${v.forcedac ? ', forcedac' : ''}`,
  ];
  for (const u of v.units) {
    lines.push(`${u.name} @${hex(u.base)}: ${u.mode} mode, translation ${u.translating ? 'on' : 'off'}, ${u.queued ? 'queued' : 'register-based'} invalidation`);
    lines.push(`  CAP ${hex64Text(u.cap)}  ECAP ${hex64Text(u.ecap)}`);
    lines.push(`  MGAW ${u.mgaw}, levels ${u.levels.join('/')} (unit agaw ${u.agaw}), ${u.faultRecords} fault records at ${hex(u.faultOffset)}, PSI ${yn(u.psi)} (MAMV ${u.mamv}), ZLR ${yn(u.zlr)}, CM ${yn(u.cachingMode)}, SMPWC ${yn(u.smpwc)}`);
    const r = u.regs;
    lines.push(`  GCMD ${hex32(r.gcmd)} GSTS ${hex32(r.gsts)} RTADDR ${hex(r.rtaddr)} FSTS ${hex32(r.fsts)} FECTL ${hex32(r.fectl)} IQA ${hex(r.iqa)} IQH ${hex(r.iqh)} IQT ${hex(r.iqt)}`);
    lines.push(`  IOTLB ${u.iotlbValid}/${u.iotlbSize} hits ${u.hits} misses ${u.misses} walks ${u.walks}; accesses ${u.reads} reads ${u.writes} writes; faults recorded ${u.faults} reported ${u.reported}; QI submits ${u.qiSubmits}; domain ids in use ${u.dids.join(',')}`);
    for (const f of u.records) {
      lines.push(`  FRCD[${f.index}] ${words(f.words)}  F=${f.pending ? 1 : 0} ${f.read ? 'DMA Read' : 'DMA Write'} reason ${f.reason} (${f.reasonText}) sid ${bdf(f.sid)} addr ${hex(f.addr)}`);
    }
  }
  for (const d of v.domains) {
    lines.push(`${d.name} on ${d.unit}: ${d.alive ? '' : 'freed, '}did ${d.did}, gaw ${d.gaw}, agaw ${d.agaw} (${d.levels} levels), pgd ${hex(d.pgd)}, ${d.tables} table pages, devices ${d.devs.join(',') || '-'}, IOVA ranges ${d.iovaRanges}, flush queue ${d.fqPending}`);
  }
  lines.push('devices:');
  for (const d of v.devices) lines.push(...deviceLines(d));
  return lines;
}

registerInspector({
  name: 'vtd',
  usage: 'info vtd [iotlb]',
  summary: 'VT-d: DMAR units (CAP/ECAP, registers, fault records), domains, each device\'s root/context/PASID entries; `iotlb` lists the IOTLB',
  models: [VTD_MODEL],
  run: ({ machine: m }, args) => vtdInfo(m, args),
});

/** `info pt DOMAIN [IOVA]` for a VT-d domain: its leaves as runs, or the walk of IOVA. */
export function vtdPtInfo(m: Machine, args: readonly string[]): string[] {
  const v = vtdStatus(m)!;
  const live = v.domains.filter((d) => d.alive);
  const name = args[0] ?? live[0]?.name;
  const dom = live.find((d) => d.name === name);
  if (!dom) return [name ? `no VT-d domain "${name}": ${live.map((d) => d.name).join(', ') || 'none yet (v5.0 creates one at the first map)'}` : 'no VT-d domain yet (v5.0 creates one at the first map)'];
  if (args[1] !== undefined) {
    if (!/^(0x)?[0-9a-f]+$/i.test(args[1])) return [`bad IOVA "${args[1]}" (write it in hex, e.g. 0xfffff000)`];
    const iova = parseInt(args[1], 16);
    const w = vtdDomainWalk(m, dom.name, iova)!;
    const lines = [`walk of ${hex(iova)} in ${dom.name} (did ${dom.did}, ${w.levels} levels, pgd ${hex(w.pgd)})`];
    for (const s of w.steps) lines.push(`  L${s.level}[${hex(s.index)}] @${hex(s.pa)} = ${hex64Text(BigInt(s.pte))}  ${describeVtdPte(s.decoded)}`);
    const last = w.steps[w.steps.length - 1];
    if (last?.decoded.type === 'page') lines.push(`  -> PA ${hex(last.decoded.addr + (iova % last.decoded.size))}`);
    else lines.push('  -> no leaf: a read faults with reason 6, a write with reason 5');
    return lines;
  }
  const leaves = vtdDomainLeaves(m, dom.name)!;
  const lines = [`${dom.name}: VT-d second level, ${dom.levels} levels, pgd ${hex(dom.pgd)}, ${leaves.length} leaves`];
  // Contiguous IOVA -> PA runs with the same rights, as one line each.
  let i = 0;
  while (i < leaves.length) {
    const a = leaves[i];
    let j = i + 1;
    let end = a.iova + a.size;
    while (j < leaves.length && leaves[j].iova === end && leaves[j].pa === a.pa + (end - a.iova) && leaves[j].read === a.read && leaves[j].write === a.write && leaves[j].size === a.size) {
      end += leaves[j].size;
      j++;
    }
    lines.push(`  ${hex(a.iova)}..${hex(end)} -> ${hex(a.pa)}  ${j - i} x ${size(a.size)} ${a.read ? 'R' : '-'}${a.write ? 'W' : '-'}`);
    i = j;
  }
  return lines;
}
