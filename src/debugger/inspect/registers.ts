/**
 * `info registers [BLOCK]`: every modelled register block — each M4U (drivers/iommu/mtk_iommu.c,
 * v5.0.1 / v5.4.1 names and bits, INT_ID's larb and port with their dt-binding names), each
 * VT-d DMAR unit (registers-vtd.ts), each AMD IOMMU (registers-amd.ts) — with offset, raw
 * value and decoded fields. A `*` marks a value that changed since registers were last shown
 * (`info registers` or the Registers panel).
 */
import type { Machine } from '../../sim/machine.ts';
import { hex, hex32 } from '../../sim/core/hex.ts';
import { MTK_MODEL, type MtkState } from '../../sim/iommu/mtk/state.ts';
import type { MtkM4uState } from '../../sim/iommu/mtk/state.ts';
import { MTK_IOMMU_PLATS } from '../../sim/iommu/mtk/plat.ts';
import { m4uPortName } from '../../sim/iommu/mtk/ports.ts';
import * as R from '../../sim/iommu/mtk/regs.ts';
import { VTD_MODEL } from '../../sim/iommu/intel/state.ts';
import { dmarBlocks } from './registers-vtd.ts';
import { AMD_MODEL } from '../../sim/iommu/amd/state.ts';
import { amdBlocks } from './registers-amd.ts';
import { registerInspector } from './registry.ts';

export interface RegRow {
  readonly off: number;
  readonly name: string;
  /** 64-bit registers (VT-d CAP, ECAP, RTADDR, ...) are bigint. */
  readonly val: number | bigint;
  /** A 64-bit register: shown with 16 hex digits. */
  readonly wide?: boolean;
  readonly fields: string;
}

/** One block of registers: an M4U or a DMAR unit. */
export interface RegBlock {
  readonly name: string;
  /** What `info registers` heads the block with. */
  readonly title: string;
  readonly rows: readonly RegRow[];
}

/** The raw value as a register dump shows it: 8 or 16 hex digits. */
export const regHex = (r: RegRow): string => `0x${r.val.toString(16).padStart(r.wide ? 16 : 8, '0')}`;

function bits(v: number, names: readonly (readonly [number, string])[]): string {
  const on = names.filter(([b]) => v & b).map(([, n]) => n);
  return on.length ? on.join(' | ') : '-';
}

/** FAULT_ST1 bits per cell: F_INT_TRANSLATION_FAULT .. F_INT_PRETETCH_TRANSATION_FIFO_FAULT. */
const ST1_BITS = ['TRANSLATION_FAULT', 'MAIN_MULTI_HIT_FAULT', 'INVALID_PA_FAULT', 'ENTRY_REPLACEMENT_FAULT', 'TLB_MISS_FAULT', 'MISS_TRANSACTION_FIFO_FAULT', 'PRETETCH_TRANSATION_FIFO_FAULT'];

function st1Text(v: number): string {
  const out: string[] = [];
  for (let cell = 0; cell < 2; cell++) {
    const on = ST1_BITS.filter((_, b) => v & (1 << (b + 7 * cell)));
    if (on.length === ST1_BITS.length) out.push(`mmu${cell}: all ${on.length}`);
    else if (on.length) out.push(`mmu${cell}: ${on.join(' | ')}`);
  }
  return out.length ? out.join('; ') : 'no fault';
}

const INT_CONTROL0_BITS = [
  [1 << 0, 'L2_MULIT_HIT_EN'],
  [1 << 1, 'TABLE_WALK_FAULT_INT_EN'],
  [1 << 2, 'PREETCH_FIFO_OVERFLOW_INT_EN'],
  [1 << 3, 'MISS_FIFO_OVERFLOW_INT_EN'],
  [1 << 5, 'PREFETCH_FIFO_ERR_INT_EN'],
  [1 << 6, 'MISS_FIFO_ERR_INT_EN'],
  [R.F_INT_CLR_BIT, 'INT_CLR_BIT'],
] as const;

function intIdText(s: MtkState, v: number): string {
  const raw = R.F_MMU_INT_ID_LARB_ID(v);
  const port = R.F_MMU_INT_ID_PORT_ID(v);
  // v5.4's ISR maps the raw larb through larbid_remap; v5.0's reports it as read.
  const larb = s.driver === 'mt8183-series' ? MTK_IOMMU_PLATS[s.soc].larbidRemap[raw] : raw;
  const name = m4uPortName(s.soc, larb, port);
  return `larb ${raw}${larb !== raw ? ` (larbid_remap: larb ${larb})` : ''} port ${port}${name ? ` ${name}` : ''}`;
}

function faultVaText(v: number): string {
  return `va ${hex32(v)} ${v & R.F_MMU_FAULT_VA_WRITE_BIT ? 'write' : 'read'} layer ${v & R.F_MMU_FAULT_VA_LAYER_BIT}`;
}

/** The rows of one M4U, in offset order. */
export function m4uRegisterRows(s: MtkState, inst: MtkM4uState): RegRow[] {
  const v54 = s.driver === 'mt8183-series';
  const rd = (off: number) => inst.regs[off >>> 2] >>> 0;
  const rows: RegRow[] = [];
  const row = (off: number, name: string, fields: (v: number) => string) => rows.push({ off, name, val: rd(off), fields: fields(rd(off)) });
  row(R.REG_MMU_PT_BASE_ADDR, 'PT_BASE_ADDR', (v) => `pgd ${hex32(v)}`);
  row(R.REG_MMU_INVALIDATE, 'INVALIDATE', (v) => bits(v, [[R.F_ALL_INVLD, 'F_ALL_INVLD'], [R.F_MMU_INV_RANGE, 'F_MMU_INV_RANGE']]));
  row(R.REG_MMU_INVLD_START_A, 'INVLD_START_A', (v) => `iova ${hex32(v)}`);
  row(R.REG_MMU_INVLD_END_A, 'INVLD_END_A', (v) => `iova ${hex32(v)}`);
  row(R.REG_MMU_INV_SEL, 'INV_SEL', (v) => bits(v, [[R.F_INVLD_EN0, 'F_INVLD_EN0'], [R.F_INVLD_EN1, 'F_INVLD_EN1']]));
  row(R.REG_MMU_STANDARD_AXI_MODE, 'STANDARD_AXI_MODE', (v) => String(v));
  row(R.REG_MMU_DCM_DIS, 'DCM_DIS', (v) => String(v));
  // mtk_iommu_hw_init: mt8173 sets PREFETCH_RT_REPLACE_MOD | TF_PROT_TO_PROGRAM_ADDR_MT8173 (2 << 5); the others TF_PROT_TO_PROGRAM_ADDR (2 << 4).
  row(R.REG_MMU_CTRL_REG, 'CTRL_REG', (v) =>
    s.soc === 'mt8173' ? `${v & R.F_MMU_PREFETCH_RT_REPLACE_MOD ? 'PREFETCH_RT_REPLACE_MOD ' : ''}TF_PROT ${(v >>> 5) & 3}` : `TF_PROT ${(v >>> 4) & 3}`,
  );
  // mt8173: protect_base >> 1 | enable_4GB << 31; the others the PA as is.
  row(R.REG_MMU_IVRP_PADDR, 'IVRP_PADDR', (v) => (s.soc === 'mt8173' ? `protect ${hex(((v & 0x7fff_ffff) * 2))} 4GB ${v >>> 31}` : `protect ${hex32(v)}`));
  row(R.REG_MMU_VLD_PA_RNG, 'VLD_PA_RNG', (v) => (v ? `EA ${(v >>> 8) & 0xff} SA ${v & 0xff} (PA bits [32:30])` : 'not set'));
  row(R.REG_MMU_INT_CONTROL0, 'INT_CONTROL0', (v) => bits(v, INT_CONTROL0_BITS));
  row(R.REG_MMU_INT_MAIN_CONTROL, 'INT_MAIN_CONTROL', (v) => st1Text(v).replace('no fault', '-'));
  row(R.REG_MMU_CPE_DONE, 'CPE_DONE', (v) => (v ? 'done' : '0'));
  row(R.REG_MMU_FAULT_ST1, 'FAULT_ST1', st1Text);
  // v5.0.1 has one set: REG_MMU_FAULT_VA 0x13c, REG_MMU_INVLD_PA 0x140, REG_MMU_INT_ID 0x150.
  row(R.REG_MMU0_FAULT_VA, v54 ? 'MMU0_FAULT_VA' : 'FAULT_VA', faultVaText);
  row(R.REG_MMU0_INVLD_PA, v54 ? 'MMU0_INVLD_PA' : 'INVLD_PA', (v) => `pa ${hex32(v)}`);
  if (v54) {
    row(R.REG_MMU1_FAULT_VA, 'MMU1_FAULT_VA', faultVaText);
    row(R.REG_MMU1_INVLD_PA, 'MMU1_INVLD_PA', (v) => `pa ${hex32(v)}`);
  }
  row(R.REG_MMU0_INT_ID, v54 ? 'MMU0_INT_ID' : 'INT_ID', (v) => intIdText(s, v));
  if (v54) row(R.REG_MMU1_INT_ID, 'MMU1_INT_ID', (v) => intIdText(s, v));
  return rows;
}

/** Values last shown, per machine and block, for the changed-since marks. */
const SHOWN = new WeakMap<Machine, Map<string, (number | bigint)[]>>();

/** Which rows changed since `block` was last shown; remembers this showing. */
export function changedSinceShown(m: Machine, block: string, rows: readonly RegRow[]): boolean[] {
  let per = SHOWN.get(m);
  if (!per) SHOWN.set(m, (per = new Map()));
  const before = per.get(block);
  per.set(block, rows.map((r) => r.val));
  return rows.map((r, i) => before !== undefined && before[i] !== r.val);
}

/** Every register block of the machine: the M4Us, the DMAR units, the AMD IOMMUs. */
export function registerBlocksOf(m: Machine): RegBlock[] {
  const out: RegBlock[] = [];
  const mtk = m.findModel(MTK_MODEL);
  if (mtk) {
    const layout = mtk.driver === 'mt8183-series' ? 'v5.4 two-cell' : 'v5.0 one-cell';
    for (const inst of mtk.m4u) out.push({ name: inst.name, title: `${inst.name} (mtk_iommu ${mtk.soc}, ${layout} layout)`, rows: m4uRegisterRows(mtk, inst) });
  }
  const vtd = m.findModel(VTD_MODEL);
  if (vtd) out.push(...dmarBlocks(vtd));
  const amd = m.findModel(AMD_MODEL);
  if (amd) out.push(...amdBlocks(amd));
  return out;
}

export function registerBlocks(m: Machine): string[] {
  return registerBlocksOf(m).map((b) => b.name);
}

registerInspector({
  name: 'registers',
  usage: 'info registers [BLOCK]',
  summary: 'Every modelled M4U, VT-d and AMD IOMMU register: offset, raw value, decoded fields (* changed since last shown)',
  models: [MTK_MODEL, VTD_MODEL, AMD_MODEL],
  run: ({ machine: m }, args) => {
    const blocks = registerBlocksOf(m);
    const want = args[0];
    if (want && !blocks.some((b) => b.name === want)) return [`no register block "${want}": blocks here: ${blocks.map((b) => b.name).join(', ')}`];
    const lines: string[] = [];
    for (const b of blocks) {
      if (want && b.name !== want) continue;
      const changed = changedSinceShown(m, b.name, b.rows);
      const w = Math.max(17, ...b.rows.map((r) => r.name.length));
      const ow = Math.max(3, ...b.rows.map((r) => r.off.toString(16).length));
      lines.push(b.title);
      b.rows.forEach((r, i) => lines.push(`${changed[i] ? '*' : ' '} 0x${r.off.toString(16).padStart(ow, '0')}  ${r.name.padEnd(w)} ${regHex(r)}  ${r.fields}`));
    }
    return lines;
  },
});
