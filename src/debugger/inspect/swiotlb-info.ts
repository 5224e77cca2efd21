/**
 * `info swiotlb [slots FROM [N] | segments]`: the SWIOTLB views as text, in kernel words.
 * Pure over the machine; the debugger's inspector registry wires it to the command.
 */
import type { Machine } from '../../sim/machine.ts';
import { hex } from '../../sim/core/hex.ts';
import { swiotlbSegments, swiotlbSlots, swiotlbStatus } from '../../sim/dma/swiotlb-status.ts';

const size = (n: number | null): string => (n === null ? 'SIZE_MAX' : String(n));

function summary(m: Machine): string[] {
  const v = swiotlbStatus(m)!;
  const runs = Object.entries(v.runHistogram)
    .sort((a, b) => Number(b[0]) - Number(a[0]))
    .map(([len, n]) => `${n} x ${len}`)
    .join(', ');
  const lines = [
    `swiotlb ${v.active ? 'active' : 'inactive'}, force=${v.force ? 'yes' : 'no'}, pool ${hex(v.start)}-${hex(v.end)}`,
    `  slots ${v.nslabs} (${v.nslabs / v.segSize} segments of ${v.segSize} x ${v.slotSize / 1024} KiB), used ${v.used}, free ${v.freeSlots}`,
    `  io_tlb_index ${v.cursor}`,
    v.largest.nslots > 0
      ? `  largest free run ${v.largest.nslots} slots (${v.largest.bytes} bytes) at slot ${v.largest.slot}`
      : '  largest free run: none (every slot is in use)',
    `  free runs (count x slots): ${runs || 'none'}`,
    `  swiotlb_max_mapping_size ${v.maxMappingSize}`,
  ];
  for (const [dev, n] of Object.entries(v.deviceMaxMappingSize)) lines.push(`  dma_max_mapping_size(${dev}) ${size(n)}`);
  const f = v.lastFull;
  lines.push(f ? `  last full: ${f.dev} asked ${f.size} bytes (${f.nslots} slots) at t=${f.t}ns` : '  last full: never');
  return lines;
}

function slots(m: Machine, from: number, count: number): string[] {
  const rows = [`${'slot'.padStart(6)} ${'free'.padStart(4)}  ${'owner'.padEnd(12)} orig`];
  for (const s of swiotlbSlots(m, from, count)) {
    rows.push(`${String(s.slot).padStart(6)} ${String(s.free).padStart(4)}  ${(s.owner ?? '-').padEnd(12)} ${s.orig === null ? '-' : hex(s.orig)}`);
  }
  return rows;
}

function segments(m: Machine): string[] {
  const rows = [`${'seg'.padStart(4)} ${'slots'.padStart(11)} ${'used'.padStart(4)} ${'largest'.padStart(7)}  owners`];
  const segSize = swiotlbStatus(m)!.segSize;
  for (const g of swiotlbSegments(m)) {
    const range = `${g.firstSlot}-${g.firstSlot + segSize - 1}`;
    rows.push(`${String(g.segment).padStart(4)} ${range.padStart(11)} ${String(g.used).padStart(4)} ${String(g.largest).padStart(7)}  ${g.owners.join(',')}`);
  }
  return rows;
}

export function swiotlbInfo(m: Machine, args: readonly string[]): string[] {
  if (!swiotlbStatus(m)) return ['no swiotlb pool in this scenario (add a "swiotlb" section)'];
  if (args[0] === 'slots') {
    const from = Number(args[1] ?? 0);
    const count = Number(args[2] ?? 32);
    if (!Number.isInteger(from) || !Number.isInteger(count) || from < 0 || count < 1) return ['usage: info swiotlb slots FROM [N]'];
    return slots(m, from, count);
  }
  if (args[0] === 'segments') return segments(m);
  if (args.length) return ['usage: info swiotlb [slots FROM [N] | segments]'];
  return summary(m);
}
