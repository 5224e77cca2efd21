/** Trace kinds of the generic IOMMU core and its checkers (see src/sim/trace-kinds.ts). */
import type { TraceKindDoc } from '../trace-kinds.ts';

export const IOMMU_KINDS: readonly TraceKindDoc[] = [
  {
    kind: 'domain',
    summary: 'An IOMMU driver finalised a DMA domain and allocated its page table.',
    fields: {
      iommu: 'driver ("mtk")',
      domain: 'domain name, e.g. "mtk-dom0"',
      fmt: 'page-table format ("arm-v7s")',
      pgd: 'PA of the level-1 table',
      ttbr0: 'TTBR0 the format computed (walk attributes in the low bits)',
      kernel: 'kernel modelled ("v5.0" or "v5.4")',
      driver: 'driver generation (mtk: "pre-mt8183" or "mt8183-series")',
      enable4GB: 'mtk: 4GB mode (DRAM above 4 GiB and, since v5.4, plat_data has_4gb_mode)',
    },
  },
  {
    kind: 'attach',
    summary: 'A device was attached to an IOMMU domain (mtk: its port joins the larb MMU mask).',
    fields: {
      iommu: 'IOMMU instance, e.g. "m4u0"',
      dev: 'device name',
      larb: 'software larb id',
      port: 'port in the larb',
      larbMmu: "the larb's mmu mask after the attach (BIT(port) per translated port)",
    },
  },
  {
    kind: 'tlb-inval',
    summary: 'The IOMMU hardware invalidated IOTLB entries (mtk: a write of INVALIDATE).',
    fields: {
      iommu: 'IOMMU instance, e.g. "m4u0"',
      scope: '"all" (F_ALL_INVLD) or "range" (F_MMU_INV_RANGE)',
      start: 'first IOVA of a range invalidation (INVLD_START_A)',
      end: 'IOVA just past the range (INVLD_END_A + 1; end is exclusive here)',
      cells: 'mmu cells INV_SEL enabled ("mmu0,mmu1")',
      dropped: 'valid IOTLB entries removed',
      injected: 'present when the scenario made this range invalidation never complete',
    },
  },
  {
    kind: 'stale-tlb',
    summary: 'Checker: a device access was served from an IOTLB entry the page table no longer backs (a PTE changed or vanished with no invalidation covering the entry). Reported once per IOTLB fill.',
    fields: {
      iommu: 'IOMMU instance',
      mmu: 'mmu cell whose IOTLB served the access',
      dev: 'device that made the access',
      iova: 'IOVA accessed',
      cachedPa: 'PA the stale entry sent the access to',
      pteAddr: 'PA of the page-table word that changed',
      cachedPte: 'the word when the entry was filled',
      pte: 'the word now',
      changedBy: 'seq of the last `pte` record that wrote that word (-1: none seen)',
      filledAfter: 'seq of the `pte` record the entry was filled from (-1: none)',
    },
  },
  {
    kind: 'fault',
    summary: 'The IOMMU driver handled a fault interrupt (mtk: mtk_iommu_isr), with what it read from the fault registers.',
    fields: {
      iommu: 'IOMMU instance, e.g. "m4u0"',
      mmu: 'mmu cell whose register set was read ("mmu0" or "mmu1"; v5.0 reads only mmu0)',
      type: 'fault type ("translation")',
      st1: 'FAULT_ST1 as read (mmu0 bits 0..6, mmu1 bits 7..13)',
      iova: 'FAULT_VA as read: the IOVA with the write (bit 1) and layer (bit 0) bits, as the kernel reports it',
      write: 'FAULT_VA bit 1',
      layer: 'FAULT_VA bit 0: 0 stopped at level 1, 1 at level 2',
      pa: 'INVLD_PA as read',
      intId: 'INT_ID as read',
      larbRaw: 'HW larb id from INT_ID bits [9:7]',
      larb: 'larb after larbid_remap (v5.4; v5.0 uses the raw id)',
      port: 'port from INT_ID bits [6:2]',
      dev: 'device whose access faulted (the simulator knows it; the kernel reports the M4U device)',
      reported: 'what report_iommu_fault returned: "handled" or "unhandled" (no handler: the driver prints its error)',
    },
  },
];
