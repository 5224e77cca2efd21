/**
 * mtk_iommu_hw_init (drivers/iommu/mtk_iommu.c). v5.4 order: bclk (if has_bclk), CTRL_REG,
 * INT_CONTROL0, INT_MAIN_CONTROL (both cells), IVRP_PADDR, VLD_PA_RNG (4GB mode and
 * has_vld_pa_rng), DCM_DIS, STANDARD_AXI_MODE (reset_axi). v5.0: bclk always, mmu0
 * interrupts only, VLD_PA_RNG for every non-mt8173 SoC in 4GB mode, AXI reset only on mt8173.
 */
import type { Machine } from '../../machine.ts';
import { lower32, upper32 } from '../../core/hex.ts';
import { MTK_IOMMU_PLATS } from './plat.ts';
import {
  F_MMU_PREFETCH_RT_REPLACE_MOD,
  F_MMU_VLD_PA_RNG,
  INT_CONTROL0_INIT,
  INT_MAIN_MMU0,
  INT_MAIN_MMU01,
  REG_MMU_CTRL_REG,
  REG_MMU_DCM_DIS,
  REG_MMU_INT_CONTROL0,
  REG_MMU_INT_MAIN_CONTROL,
  REG_MMU_IVRP_PADDR,
  REG_MMU_STANDARD_AXI_MODE,
  REG_MMU_VLD_PA_RNG,
} from './regs.ts';
import { m4uWrite } from './hw.ts';
import { type MtkM4uState, mtkState } from './state.ts';

/** F_MMU_TF_PROTECT_SEL(2): shift 5 on mt8173, 4 elsewhere (v5.0: 4 on mt2712, else 5). */
function tfProtectSel(soc: string): number {
  return 2 << (soc === 'mt8173' ? 5 : 4);
}

export function mtkIommuHwInit(m: Machine, inst: MtkM4uState): void {
  const s = mtkState(m);
  const plat = MTK_IOMMU_PLATS[s.soc];
  const v54 = s.driver === 'mt8183-series';
  if (!v54 || plat.hasBclk) m.emit('reg', { block: inst.name, op: 'clk-enable', reg: 'bclk' });

  let ctrl = tfProtectSel(s.soc);
  if (plat.m4uPlat === 'M4U_MT8173') ctrl |= F_MMU_PREFETCH_RT_REPLACE_MOD;
  m4uWrite(m, inst, REG_MMU_CTRL_REG, ctrl);
  m4uWrite(m, inst, REG_MMU_INT_CONTROL0, INT_CONTROL0_INIT);
  m4uWrite(m, inst, REG_MMU_INT_MAIN_CONTROL, v54 ? INT_MAIN_MMU01 : INT_MAIN_MMU0);

  const base = inst.protectBase;
  const ivrp =
    plat.m4uPlat === 'M4U_MT8173'
      ? (Math.floor(base / 2) | (s.enable4GB ? 0x80000000 : 0)) >>> 0
      : (lower32(base) | upper32(base)) >>> 0;
  m4uWrite(m, inst, REG_MMU_IVRP_PADDR, ivrp);

  const vld = v54 ? plat.hasVldPaRng : plat.m4uPlat !== 'M4U_MT8173';
  // 4GB mode: the valid PA range is 0x1_0000_0000..0x1_ffff_ffff, recorded as PA[32:30].
  if (s.enable4GB && vld) m4uWrite(m, inst, REG_MMU_VLD_PA_RNG, F_MMU_VLD_PA_RNG(7, 4));
  m4uWrite(m, inst, REG_MMU_DCM_DIS, 0);
  const axi = v54 ? plat.resetAxi : plat.m4uPlat === 'M4U_MT8173';
  if (axi) m4uWrite(m, inst, REG_MMU_STANDARD_AXI_MODE, 0);
}
