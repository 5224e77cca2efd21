/**
 * struct mtk_iommu_plat_data (drivers/iommu/mtk_iommu.c, v5.4.1). v5.0 had no plat_data:
 * the compatible picked M4U_MT2712 or M4U_MT8173 and the driver tested m4u_plat inline
 * (bclk always, vld_pa_rng for every non-mt8173 SoC in 4GB mode, AXI reset only on mt8173).
 */
import type { MtkSoc } from '../../smi/plat.ts';

/** include/soc/mediatek/smi.h */
export const MTK_LARB_NR_MAX = 16;

/**
 * `unsigned char larbid_remap[MTK_LARB_NR_MAX]` with the SoC's initializer: C zero-fills
 * the slots it does not list, so an unlisted HW larb decodes to larb 0.
 */
function larbidRemap(listed: readonly number[]): readonly number[] {
  return Array.from({ length: MTK_LARB_NR_MAX }, (_, hw) => listed[hw] ?? 0);
}

export interface MtkIommuPlat {
  readonly m4uPlat: 'M4U_MT2712' | 'M4U_MT8173' | 'M4U_MT8183';
  readonly has4gbMode: boolean;
  readonly hasBclk: boolean;
  readonly hasVldPaRng: boolean;
  readonly resetAxi: boolean;
  /** HW larb id (INT_ID) -> dt-binding larb id; MTK_LARB_NR_MAX = 16 slots. */
  readonly larbidRemap: readonly number[];
  /** M4U instances and the larbs each serves (from the SoC's dtsi "mediatek,larbs"). */
  readonly m4uLarbs: readonly (readonly number[])[];
  /** Output address bits the walker produces: 33 in 4GB mode parts, 34 with MTK_EXT. */
  readonly paBits: number;
  /**
   * dev_name() of each M4U's platform device, "<unit address>.<node name>" from the SoC's
   * dtsi, as dev_err prefixes it ("mtk-iommu 10205000.iommu: ").
   */
  readonly devNames: readonly string[];
}

export const MTK_IOMMU_PLATS: Readonly<Record<MtkSoc, MtkIommuPlat>> = {
  mt2712: {
    m4uPlat: 'M4U_MT2712',
    has4gbMode: true,
    hasBclk: true,
    hasVldPaRng: true,
    resetAxi: false,
    larbidRemap: larbidRemap([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
    // [unverified: from memory of later mt2712e.dtsi; the v5.0.1 dtsi has no M4U nodes]
    // iommu0 larbs 0 1 2 3 6, iommu1 larbs 4 5 7; bdpsys larbs 8, 9 (direct to common) put on
    // iommu1 here. A scenario can give its own split in mtk.m4u.
    m4uLarbs: [[0, 1, 2, 3, 6], [4, 5, 7, 8, 9]],
    paBits: 33,
    // arch/arm64/boot/dts/mediatek/mt2712e.dtsi (v5.4.1): iommu0: iommu@10205000, iommu1: iommu@1020a000
    devNames: ['10205000.iommu', '1020a000.iommu'],
  },
  mt8173: {
    m4uPlat: 'M4U_MT8173',
    has4gbMode: true,
    hasBclk: true,
    hasVldPaRng: false,
    resetAxi: true,
    larbidRemap: larbidRemap([0, 1, 2, 3, 4, 5]),
    m4uLarbs: [[0, 1, 2, 3, 4, 5]],
    paBits: 33,
    // mt8173.dtsi (v5.0.1 and v5.4.1): iommu: iommu@10205000
    devNames: ['10205000.iommu'],
  },
  mt8183: {
    m4uPlat: 'M4U_MT8183',
    has4gbMode: false,
    hasBclk: false,
    hasVldPaRng: false,
    resetAxi: true,
    larbidRemap: larbidRemap([0, 4, 5, 6, 7, 2, 3, 1]),
    m4uLarbs: [[0, 1, 2, 3, 4, 5, 6, 7]],
    paBits: 34,
    // [unverified in these trees: v5.4.1's mt8183.dtsi has no M4U node yet; v5.6 adds iommu@10205000]
    devNames: ['10205000.iommu'],
  },
};

/** HW larb id the M4U reports in INT_ID for a software larb: the inverse of larbid_remap. */
export function hwLarbId(plat: MtkIommuPlat, larb: number): number {
  const hw = plat.larbidRemap.indexOf(larb);
  return hw < 0 ? larb : hw;
}
