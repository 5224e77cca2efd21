/**
 * Page-table rows: L1 condensed to populated ranges (runs of entries that map contiguous
 * output with the same attributes), an L2 table's entries the same way, and the walk of
 * one IOVA level by level. Pure functions of the view model.
 */
import type { PgtableDomainView, PteView } from './model.ts';

const L1_SHIFT = 20;
const L2_SHIFT = 12;
const SPAN: Record<string, number> = { section: 1 << 20, supersection: 1 << 20, large: 1 << 12, small: 1 << 12 };
/** Output advance per entry: supersections and large pages repeat one descriptor 16 times. */
const STRIDE: Record<string, number> = { section: 1 << 20, small: 1 << 12 };

export const hex = (n: number): string => '0x' + n.toString(16);
const hex32 = (n: number): string => '0x' + (n >>> 0).toString(16).padStart(8, '0');

export interface PteRow {
  /** Table indexes covered (inclusive). */
  readonly first: number;
  readonly last: number;
  readonly iova: number;
  readonly iovaEnd: number;
  readonly entry: PteView;
  readonly n: number;
  readonly changed: boolean;
  readonly text: string;
}

function continues(prev: PteView, e: PteView, k: number, first: PteView): boolean {
  if (e.index !== prev.index + 1 || e.type !== prev.type || e.type === 'table') return false;
  if (e.perm !== prev.perm || e.attr !== prev.attr || e.ns !== prev.ns || e.mtk !== prev.mtk) return false;
  const stride = STRIDE[e.type];
  if (stride !== undefined) return e.out === first.out + k * stride;
  // Supersection / large page: 16 copies of one descriptor, then the next block.
  const block = e.type === 'supersection' ? 1 << 24 : 1 << 16;
  return e.out === prev.out || e.out === prev.out + block;
}

function describe(e: PteView, n: number, level: 1 | 2, l1: number, l2Count?: number): string {
  const idx = level === 1 ? `L1[${hex(e.index)}` : `L2[${hex(e.index)}`;
  const range = n > 1 ? `${idx}..${hex(e.index + n - 1)}]` : `${idx}]`;
  if (e.type === 'table') return `${range.padEnd(18)} table   -> L2 @${hex(e.out)} (${l2Count ?? 0} valid)  ${hex32(e.raw)}`;
  const base = level === 1 ? e.index << L1_SHIFT : (l1 << L1_SHIFT) + e.index * (1 << L2_SHIFT);
  const iova = base >>> 0;
  const size = n * SPAN[e.type];
  const flags = [e.perm, e.attr, e.ns ? 'ns' : '', e.mtk].filter(Boolean).join(' ');
  return `${range.padEnd(18)} ${e.type.padEnd(7)} ${hex(iova)}+${sizeText(size)} -> ${hex(e.out)} ${flags}  ${hex32(e.raw)}`;
}

export function sizeText(n: number): string {
  if (n >= 1 << 30 && n % (1 << 30) === 0) return `${n / (1 << 30)}G`;
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return `${n}`;
}

/** Condense `entries` (sorted by index) into rows. */
export function condense(entries: readonly PteView[], level: 1 | 2, l1: number, dom?: PgtableDomainView): PteRow[] {
  const rows: PteRow[] = [];
  let i = 0;
  while (i < entries.length) {
    const first = entries[i];
    let j = i + 1;
    while (j < entries.length && continues(entries[j - 1], entries[j], j - i, first)) j++;
    const n = j - i;
    const run = entries.slice(i, j);
    const base = level === 1 ? first.index << L1_SHIFT : (l1 << L1_SHIFT) + first.index * (1 << L2_SHIFT);
    const span = first.type === 'table' ? 1 << L1_SHIFT : SPAN[first.type] ?? 0;
    rows.push({
      first: first.index,
      last: first.index + n - 1,
      iova: base >>> 0,
      iovaEnd: (base >>> 0) + n * span - 1,
      entry: first,
      n,
      changed: run.some((e) => e.changed),
      text: describe(first, n, level, l1, dom?.l2[first.index]?.length),
    });
    i = j;
  }
  return rows;
}

export interface WalkLine {
  readonly text: string;
  readonly ok: boolean;
}

/** The walk of `iova`: the L1 entry, then the L2 entry when the L1 entry is a table. */
export function walk(dom: PgtableDomainView, iova: number): WalkLine[] {
  const i1 = Math.floor(iova / (1 << L1_SHIFT)) & 0xfff;
  const out: WalkLine[] = [{ text: `walk ${hex(iova)} (ttbr ${hex(dom.ttbr)})`, ok: true }];
  const e1 = dom.l1.find((e) => e.index === i1);
  const a1 = dom.ttbr + i1 * 4;
  if (!e1) return [...out, { text: ` L1[${hex(i1)}] @${hex(a1)} = 0x00000000 invalid -> translation fault`, ok: false }];
  if (e1.type !== 'table') {
    const off = iova & (e1.type === 'supersection' ? 0xffffff : 0xfffff);
    return [...out, { text: ` L1[${hex(i1)}] @${hex(a1)} = ${hex32(e1.raw)} ${e1.type} -> PA ${hex(e1.out + off)} ${e1.perm}`, ok: true }];
  }
  out.push({ text: ` L1[${hex(i1)}] @${hex(a1)} = ${hex32(e1.raw)} table -> L2 @${hex(e1.out)}`, ok: true });
  const i2 = Math.floor(iova / (1 << L2_SHIFT)) & 0xff;
  const a2 = e1.out + i2 * 4;
  const e2 = dom.l2[i1]?.find((e) => e.index === i2);
  if (!e2) return [...out, { text: ` L2[${hex(i2)}] @${hex(a2)} = 0x00000000 invalid -> translation fault`, ok: false }];
  const off = iova & (e2.type === 'large' ? 0xffff : 0xfff);
  out.push({ text: ` L2[${hex(i2)}] @${hex(a2)} = ${hex32(e2.raw)} ${e2.type} -> PA ${hex(e2.out + off)} ${e2.perm} ${e2.attr}`, ok: true });
  return out;
}
