/** Trace kinds of the generic IOMMU core and its checkers (collected in src/sim/trace-kinds.ts). */
import { bool, hex, hex32, int, oneOf, str } from '../trace/field.ts';
import { kind } from '../trace/spec.ts';

export const IOMMU_KINDS = [
  kind('domain', 'An IOMMU driver finalised a DMA domain and allocated its page table.', {
    iommu: str('driver ("mtk")'),
    domain: str('domain name, e.g. "mtk-dom0"'),
    fmt: str('page-table format ("arm-v7s")'),
    pgd: hex32('PA of the level-1 table'),
    ttbr0: hex32('TTBR0 the format computed (walk attributes in the low bits)'),
    kernel: str('kernel modelled ("v5.0" or "v5.4")'),
    driver: str('driver generation (mtk: "pre-mt8183" or "mt8183-series")'),
    enable4GB: bool('mtk: 4GB mode (DRAM above 4 GiB and, since v5.4, plat_data has_4gb_mode)'),
  }),
  kind('attach', 'A device was attached to an IOMMU domain (mtk: its port joins the larb MMU mask).', {
    iommu: str('IOMMU instance, e.g. "m4u0"'),
    dev: str('device name'),
    larb: int('software larb id'),
    port: int('port in the larb'),
    larbMmu: hex32("the larb's mmu mask after the attach (BIT(port) per translated port)"),
  }),
  kind('tlb-inval', 'The IOMMU hardware invalidated IOTLB entries (mtk: a write of INVALIDATE).', {
    iommu: str('IOMMU instance, e.g. "m4u0"'),
    scope: oneOf(['all', 'range'], '"all" (F_ALL_INVLD) or "range" (F_MMU_INV_RANGE)'),
    start: hex('first IOVA of a range invalidation (INVLD_START_A)').opt(),
    end: hex('IOVA just past the range (INVLD_END_A + 1; end is exclusive here)').opt(),
    cells: str('mmu cells INV_SEL enabled ("mmu0,mmu1")'),
    dropped: int('valid IOTLB entries removed'),
    injected: str('present when the scenario made this range invalidation never complete').opt(),
  }),
  kind(
    'stale-tlb',
    'Checker: a device access was served from an IOTLB entry the page table no longer backs (a PTE changed or vanished with no invalidation covering the entry). Reported once per IOTLB fill.',
    {
      iommu: str('IOMMU instance'),
      mmu: str('mmu cell whose IOTLB served the access'),
      dev: str('device that made the access'),
      iova: hex('IOVA accessed'),
      cachedPa: hex('PA the stale entry sent the access to'),
      pteAddr: hex('PA of the page-table word that changed'),
      cachedPte: hex32('the word when the entry was filled'),
      pte: hex32('the word now'),
      changedBy: int('seq of the last `pte` record that wrote that word (-1: none seen)'),
      filledAfter: int('seq of the `pte` record the entry was filled from (-1: none)'),
    },
  ),
  kind('fault', 'The IOMMU driver handled a fault interrupt (mtk: mtk_iommu_isr), with what it read from the fault registers.', {
    iommu: str('IOMMU instance, e.g. "m4u0"'),
    mmu: str('mmu cell whose register set was read ("mmu0" or "mmu1"; v5.0 reads only mmu0)'),
    type: str('fault type ("translation")'),
    st1: hex32('FAULT_ST1 as read (mmu0 bits 0..6, mmu1 bits 7..13)'),
    iova: hex('FAULT_VA as read: the IOVA with the write (bit 1) and layer (bit 0) bits, as the kernel reports it'),
    write: bool('FAULT_VA bit 1'),
    layer: int('FAULT_VA bit 0: 0 stopped at level 1, 1 at level 2'),
    pa: hex('INVLD_PA as read'),
    intId: hex32('INT_ID as read'),
    larbRaw: int('HW larb id from INT_ID bits [9:7]'),
    larb: int('larb after larbid_remap (v5.4; v5.0 uses the raw id)'),
    port: int('port from INT_ID bits [6:2]'),
    dev: str('device whose access faulted (the simulator knows it; the kernel reports the M4U device)'),
    reported: oneOf(['handled', 'unhandled'], 'what report_iommu_fault returned: "handled" or "unhandled" (no handler: the driver prints its error)'),
  }, { stage: 'report' }),
] as const;
