/**
 * Per-SoC SMI facts (drivers/memory/mtk-smi.c and the dt-binding larb-port headers,
 * v5.4.1): how many ports each larb has, how a larb's MMU enable is programmed, which larbs
 * hang directly off smi-common, and the SMI_BUS_SEL value smi-common writes at resume.
 */
export type MtkSoc = 'mt2712' | 'mt8173' | 'mt8183';
export const MTK_SOCS: readonly MtkSoc[] = ['mt2712', 'mt8173', 'mt8183'];

export interface SmiPlat {
  readonly soc: MtkSoc;
  /** gen2 SoCs; gen1 (mt2701: flat port ids, smi_ao registers) is in gen1.ts. */
  readonly gen: 2;
  /** Ports per larb: highest port in the dt-binding header + 1. */
  readonly larbPorts: readonly number[];
  /** mt8173 writes the whole mask to SMI_LARB_MMU_EN; gen2 general sets F_MMU_EN per port. */
  readonly configPort: 'mmu-en' | 'nonsec-con';
  /** larb_direct_to_common_mask: larbs with no larb registers (no MMU enable to program). */
  readonly directToCommonMask: number;
  /** mtk_smi_common_plat.bus_sel (0: leave SMI_BUS_SEL alone). */
  readonly busSel: number;
  /** smi-common needs the gals0/gals1 clocks (mt8183). */
  readonly hasGals: boolean;
  /** Engine names by larb, for topology views (from the dt-binding headers' comments). */
  readonly larbNames: readonly string[];
}

/** MTK_SMI_BUS_SEL bits: 2 per larb; 1 routes the larb to mmu1 (mtk-smi.c, v5.4). */
export const SMI_BUS_SEL = 0x220;
export const SMI_LARB_MMU_EN = 0xf00; // mt8173
export const SMI_LARB_NONSEC_CON = (port: number): number => 0x380 + 4 * port; // gen2 general
export const F_MMU_EN = 0x1;
export const smiBusSelLarb = (larb: number, cell: number): number => cell << (2 * larb);

export const SMI_PLATS: Readonly<Record<MtkSoc, SmiPlat>> = {
  mt8173: {
    soc: 'mt8173',
    gen: 2,
    larbPorts: [8, 10, 21, 15, 6, 9],
    configPort: 'mmu-en',
    directToCommonMask: 0,
    busSel: 0,
    hasGals: false,
    larbNames: ['disp0', 'vdec', 'img', 'venc', 'disp1', 'jpeg-venc'],
  },
  mt2712: {
    soc: 'mt2712',
    gen: 2,
    larbPorts: [8, 11, 3, 9, 7, 4, 4, 2, 3, 2],
    configPort: 'nonsec-con',
    directToCommonMask: (1 << 8) | (1 << 9), // bdpsys
    busSel: 0,
    hasGals: false,
    larbNames: ['disp0', 'vdec', 'cam', 'venc', 'disp1', 'mdp', 'jpeg', 'img', 'bdp0', 'bdp1'],
  },
  mt8183: {
    soc: 'mt8183',
    gen: 2,
    larbPorts: [10, 7, 3, 5, 11, 25, 31, 2],
    configPort: 'nonsec-con',
    directToCommonMask: (1 << 2) | (1 << 3) | (1 << 7), // IPU0, IPU1, CCU
    // larbs 1, 2, 5, 7 -> mmu1 (mtk_smi_common_mt8183.bus_sel)
    busSel: smiBusSelLarb(1, 1) | smiBusSelLarb(2, 1) | smiBusSelLarb(5, 1) | smiBusSelLarb(7, 1),
    hasGals: true,
    larbNames: ['disp', 'vdec', 'ipu0', 'ipu1', 'venc', 'img', 'cam', 'ccu'],
  },
};

/** MTK_M4U_ID(larb, port) and its inverse (include/dt-bindings/memory/mtk-*-larb-port.h). */
export const MTK_M4U_ID = (larb: number, port: number): number => (larb << 5) | port;
export const MTK_M4U_TO_LARB = (id: number): number => (id >> 5) & 0xf;
export const MTK_M4U_TO_PORT = (id: number): number => id & 0x1f;

/** The mmu cell (0 or 1) SMI_BUS_SEL routes a larb to. */
export function busSelCell(busSel: number, larb: number): number {
  return (busSel >>> (2 * larb)) & 0x3;
}
