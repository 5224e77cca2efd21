/**
 * Building mappings (drivers/iommu/intel-iommu.c, v5.0.1 = v5.4.1): pfn_to_dma_pte walks
 * down and links missing tables, hardware_largepage_caps picks the superpage level,
 * __domain_mapping writes the leaves (clearing old small tables under a new superpage with
 * dma_pte_free_pagetable). The caller (domain_mapping) notifies the hardware.
 */
import type { Machine } from '../../machine.ts';
import { kfunc } from '../../core/kstack.ts';
import {
  DMA_PTE_LARGE_PAGE, DMA_PTE_READ, DMA_PTE_SNP, DMA_PTE_WRITE, VTD_PAGE_SIZE, agawToLevel, agawToWidth, alignedNrpages,
  dmaPteAddr, dmaPtePresent, dmaPteSuperpage, lvlToNrPages, pfnLevelOffset, vtdTablePte,
} from './bits.ts';
import { vtdAllocTable, vtdReadPte, vtdSetPte } from './tables.ts';
import { vtdPteFreePagetable } from './unmap.ts';
import type { VtdPgtable } from './types.ts';

const INTEL_IOMMU_C = 'drivers/iommu/intel-iommu.c';
const F_DOMAIN_MAPPING = kfunc('__domain_mapping', INTEL_IOMMU_C, ['iov_pfn', 'phys_pfn', 'nr_pages', 'prot']);
const F_PFN_TO_DMA_PTE = kfunc('pfn_to_dma_pte', INTEL_IOMMU_C, ['pfn', 'target_level']);

export const ENOMEM = 12;
export const EINVAL = 22;

/** domain_pfn_supported: the pfn fits the domain's agaw. */
export function domainPfnSupported(pt: VtdPgtable, pfn: number): boolean {
  const width = agawToWidth(pt.agaw) - 12;
  return width >= 52 || pfn < 2 ** width;
}

/** Where pfn_to_dma_pte stopped: the entry's PA and its level; null when the kernel returns NULL. */
export interface PteSlot {
  pa: number;
  level: number;
}

/**
 * pfn_to_dma_pte(domain, pfn, &target_level): with target 0, stop at the first superpage or
 * non-present entry (or level 1) and report the level found; else walk to `target`,
 * allocating and linking tables (table | R | W) on the way.
 */
export function pfnToDmaPte(m: Machine, pt: VtdPgtable, pfn: number, target: number): PteSlot | null {
  if (!domainPfnSupported(pt, pfn)) return null;
  const k = m.kstack.enter(F_PFN_TO_DMA_PTE, pfn, target);
  try {
    let level = agawToLevel(pt.agaw);
    let parent = pt.pgd;
    for (;;) {
      const offset = pfnLevelOffset(pfn, level);
      const pa = parent + 8 * offset;
      let v = vtdReadPte(m, pa);
      if (target === 0 && (dmaPteSuperpage(v) || !dmaPtePresent(v))) return { pa, level };
      if (level === target) return { pa, level };
      if (!dmaPtePresent(v)) {
        const table = vtdAllocTable(m, pt, level - 1);
        if (table < 0) return null;
        v = vtdTablePte(table);
        vtdSetPte(m, pt, pa, level, offset, pfn, v); // cmpxchg64(&pte->val, 0ULL, pteval): nobody races here
      }
      if (level === 1) return { pa, level };
      parent = dmaPteAddr(v);
      level--;
    }
  } finally {
    m.kstack.leave(k);
  }
}

/**
 * hardware_largepage_caps: the largest level whose size both pfns are aligned to and the
 * remaining pages fill at least once, up to the domain's superpage support.
 */
export function hardwareLargepageCaps(pt: VtdPgtable, iovPfn: number, physPfn: number, pages: number): number {
  let support = pt.superpage;
  let level = 1;
  let iv = iovPfn;
  let ph = physPfn;
  while (support && iv % 512 === 0 && ph % 512 === 0) {
    pages = Math.floor(pages / 512);
    if (!pages) break;
    iv /= 512;
    ph /= 512;
    level++;
    support--;
  }
  return level;
}

/** One scatterlist entry as __domain_mapping reads and fills it. */
export interface VtdSg {
  /** sg_phys(sg): page_to_phys(sg_page(sg)) + sg->offset. */
  readonly pa: number;
  readonly length: number;
  dmaAddress: number;
  dmaLength: number;
}

/**
 * __domain_mapping(domain, iov_pfn, sg, phys_pfn, nr_pages, prot): either a physically
 * contiguous range (sg null) or a scatterlist laid out back to back from iov_pfn. A leaf
 * already set is the kernel's pr_crit + WARN_ON and is left as it was. Returns 0 or -errno.
 */
export function vtdDomainMapping(
  m: Machine,
  pt: VtdPgtable,
  a: { iovPfn: number; sg: VtdSg[] | null; physPfn: number; nrPages: number; prot: number },
): number {
  const k = m.kstack.enter(F_DOMAIN_MAPPING, a.iovPfn, a.physPfn, a.nrPages, a.prot);
  try {
    let { iovPfn, physPfn, nrPages } = a;
    if ((a.prot & (DMA_PTE_READ | DMA_PTE_WRITE)) === 0) return -EINVAL;
    const prot = a.prot & (DMA_PTE_READ | DMA_PTE_WRITE | DMA_PTE_SNP);
    let sgRes = 0;
    let sgi = -1;
    let pteval = 0;
    if (!a.sg) {
      sgRes = nrPages;
      pteval = physPfn * VTD_PAGE_SIZE + prot;
    }
    let slot: PteSlot | null = null;
    let largepageLvl = 0;
    let lvlPages = 0;
    while (nrPages > 0) {
      if (!sgRes) {
        const sg = a.sg![++sgi];
        const pgoff = sg.pa % VTD_PAGE_SIZE;
        sgRes = alignedNrpages(sg.pa, sg.length);
        sg.dmaAddress = iovPfn * VTD_PAGE_SIZE + pgoff;
        sg.dmaLength = sg.length;
        pteval = sg.pa - pgoff + prot;
        physPfn = Math.floor(pteval / VTD_PAGE_SIZE);
      }
      if (!slot) {
        largepageLvl = hardwareLargepageCaps(pt, iovPfn, physPfn, sgRes);
        slot = pfnToDmaPte(m, pt, iovPfn, largepageLvl);
        if (!slot) return -ENOMEM;
        if (largepageLvl > 1) {
          pteval = pteval - (pteval % VTD_PAGE_SIZE) + ((pteval % VTD_PAGE_SIZE) | DMA_PTE_LARGE_PAGE);
          lvlPages = lvlToNrPages(largepageLvl);
          const nrSuperpages = Math.floor(sgRes / lvlPages);
          const endPfn = iovPfn + nrSuperpages * lvlPages - 1;
          // Old small-page tables under the new superpages go; their parents stay.
          vtdPteFreePagetable(m, pt, iovPfn, endPfn, largepageLvl + 1);
        } else {
          pteval = pteval - (pteval % VTD_PAGE_SIZE) + ((pteval % VTD_PAGE_SIZE) & ~DMA_PTE_LARGE_PAGE);
        }
      }
      const old = vtdReadPte(m, slot.pa);
      if (old !== 0) {
        m.emit('klog', {
          level: 'crit',
          text: `DMAR: ERROR: DMA PTE for vPFN 0x${iovPfn.toString(16)} already set (to ${old.toString(16)} not ${pteval.toString(16)})`,
        });
      } else {
        vtdSetPte(m, pt, slot.pa, slot.level, ((slot.pa % VTD_PAGE_SIZE) / 8), iovPfn, pteval);
      }
      lvlPages = lvlToNrPages(largepageLvl);
      nrPages -= lvlPages;
      iovPfn += lvlPages;
      physPfn += lvlPages;
      pteval += lvlPages * VTD_PAGE_SIZE;
      sgRes -= lvlPages;
      // The next entry is in a new table page, or the superpage run ended: walk again.
      const next: number = slot.pa + 8;
      if (!nrPages || next % VTD_PAGE_SIZE === 0 || (largepageLvl > 1 && sgRes < lvlPages)) slot = null;
      else slot = { pa: next, level: slot.level };
    }
    return 0;
  } finally {
    m.kstack.leave(k);
  }
}
