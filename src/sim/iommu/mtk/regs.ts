/**
 * M4U registers (drivers/iommu/mtk_iommu.c, v5.4.1; v5.0.1 lacks the MMU1 set and remap).
 * The register file is a plain array of u32 words indexed by offset / 4.
 */
import type { Machine } from '../../machine.ts';
import { hex32 } from '../../core/hex.ts';

export const REG_MMU_PT_BASE_ADDR = 0x000;
export const REG_MMU_INVALIDATE = 0x020;
export const F_ALL_INVLD = 0x2;
export const F_MMU_INV_RANGE = 0x1;
export const REG_MMU_INVLD_START_A = 0x024;
export const REG_MMU_INVLD_END_A = 0x028;
export const REG_MMU_INV_SEL = 0x038;
export const F_INVLD_EN0 = 0x1;
export const F_INVLD_EN1 = 0x2;
export const REG_MMU_STANDARD_AXI_MODE = 0x048;
export const REG_MMU_DCM_DIS = 0x050;
export const REG_MMU_CTRL_REG = 0x110;
export const F_MMU_PREFETCH_RT_REPLACE_MOD = 1 << 4;
export const REG_MMU_IVRP_PADDR = 0x114;
export const REG_MMU_VLD_PA_RNG = 0x118;
export const F_MMU_VLD_PA_RNG = (ea: number, sa: number): number => ((ea << 8) | sa) >>> 0;
export const REG_MMU_INT_CONTROL0 = 0x120;
export const F_INT_CLR_BIT = 1 << 12;
/** L2 multi-hit, table-walk fault, prefetch/miss FIFO overflow, prefetch/miss FIFO error. */
export const INT_CONTROL0_INIT = 0x6f;
export const REG_MMU_INT_MAIN_CONTROL = 0x124;
/** F_INT_TRANSLATION_FAULT .. F_INT_PRETETCH_TRANSATION_FIFO_FAULT for mmu0 (bits 0..6). */
export const INT_MAIN_MMU0 = 0x7f;
/** v5.4 enables both cells: mmu0 bits 0..6, mmu1 bits 7..13. */
export const INT_MAIN_MMU01 = 0x3fff;
export const REG_MMU_CPE_DONE = 0x12c;
export const REG_MMU_FAULT_ST1 = 0x134;
export const F_REG_MMU0_FAULT_MASK = 0x7f;
export const F_REG_MMU1_FAULT_MASK = 0x3f80;
export const F_INT_TRANSLATION_FAULT = 1 << 0; // mmu0; mmu1 is << 7
export const REG_MMU0_FAULT_VA = 0x13c;
export const F_MMU_FAULT_VA_WRITE_BIT = 1 << 1;
export const F_MMU_FAULT_VA_LAYER_BIT = 1 << 0;
export const REG_MMU0_INVLD_PA = 0x140;
export const REG_MMU1_FAULT_VA = 0x144;
export const REG_MMU1_INVLD_PA = 0x148;
export const REG_MMU0_INT_ID = 0x150;
export const REG_MMU1_INT_ID = 0x154;
export const F_MMU_INT_ID_LARB_ID = (v: number): number => (v >>> 7) & 0x7;
export const F_MMU_INT_ID_PORT_ID = (v: number): number => (v >>> 2) & 0x1f;
export const MTK_PROTECT_PA_ALIGN = 128;
export const REG_WORDS = 0x160 / 4;

export const REG_NAMES: Readonly<Record<number, string>> = {
  [REG_MMU_PT_BASE_ADDR]: 'PT_BASE_ADDR',
  [REG_MMU_INVALIDATE]: 'INVALIDATE',
  [REG_MMU_INVLD_START_A]: 'INVLD_START_A',
  [REG_MMU_INVLD_END_A]: 'INVLD_END_A',
  [REG_MMU_INV_SEL]: 'INV_SEL',
  [REG_MMU_STANDARD_AXI_MODE]: 'STANDARD_AXI_MODE',
  [REG_MMU_DCM_DIS]: 'DCM_DIS',
  [REG_MMU_CTRL_REG]: 'CTRL_REG',
  [REG_MMU_IVRP_PADDR]: 'IVRP_PADDR',
  [REG_MMU_VLD_PA_RNG]: 'VLD_PA_RNG',
  [REG_MMU_INT_CONTROL0]: 'INT_CONTROL0',
  [REG_MMU_INT_MAIN_CONTROL]: 'INT_MAIN_CONTROL',
  [REG_MMU_CPE_DONE]: 'CPE_DONE',
  [REG_MMU_FAULT_ST1]: 'FAULT_ST1',
  [REG_MMU0_FAULT_VA]: 'MMU0_FAULT_VA',
  [REG_MMU0_INVLD_PA]: 'MMU0_INVLD_PA',
  [REG_MMU1_FAULT_VA]: 'MMU1_FAULT_VA',
  [REG_MMU1_INVLD_PA]: 'MMU1_INVLD_PA',
  [REG_MMU0_INT_ID]: 'MMU0_INT_ID',
  [REG_MMU1_INT_ID]: 'MMU1_INT_ID',
};

export const regName = (off: number): string => REG_NAMES[off] ?? `REG_${hex32(off)}`;

/** Emit a `reg` record for a register access worth showing. */
export function regTrace(m: Machine, block: string, op: 'write' | 'read', off: number, val: number): void {
  if (m.quiet.reg) m.skip();
  else m.emit('reg', { block, op, reg: regName(off), off, val });
}
