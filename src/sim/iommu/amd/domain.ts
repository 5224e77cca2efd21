/**
 * Protection domains (drivers/iommu/amd_iommu.c): domain IDs from a bitmap, lowest free
 * first (domain_id_alloc: find_first_zero_bit; bit 0 is reserved at init), so a freed ID
 * goes to the very next domain; dma_ops_domain_alloc with its IOVA domain, flush queue and
 * the reserved ranges; domain free.
 */
import type { Machine } from '../../machine.ts';
import { copyReservedIova, initIovaDomain, initIovaFlushQueue, iovaQuirksFor } from '../iova.ts';
import { IOVA_START_PFN, MAX_DOMAIN_ID, PAGE_MODE_3_LEVEL, PAGE_MODE_NONE } from './defs.ts';
import { amdAllocTable, freePagetable } from './pgtable.ts';
import { type AmdDomain, type AmdDomainType, type AmdState, amdState } from './state.ts';

/** domain_id_alloc(): the lowest clear bit above 0; 0 when the bitmap is full. */
export function domainIdAlloc(s: AmdState): number {
  let id = 1;
  let i = 0;
  while (i < s.usedIds.length && s.usedIds[i] < id) i++;
  while (i < s.usedIds.length && s.usedIds[i] === id) {
    id++;
    i++;
  }
  if (id >= MAX_DOMAIN_ID) return 0;
  s.usedIds.splice(i, 0, id);
  return id;
}

/** domain_id_free(id). */
export function domainIdFree(s: AmdState, id: number): void {
  const i = s.usedIds.indexOf(id);
  if (i >= 0) s.usedIds.splice(i, 1);
}

/**
 * amd_iommu_domain_alloc(IOMMU_DOMAIN_DMA | IOMMU_DOMAIN_UNMANAGED): a protection domain
 * with a 3-level table (PAGE_MODE_3_LEVEL); a DMA domain also gets its iova domain
 * (IOVA_START_PFN 1, the flush queue whose callback is iova_domain_flush_tlb) and the
 * global reserved ranges (copy_reserved_iova). Returns the domain's index, -1 on failure.
 */
export function amdDomainAlloc(m: Machine, name: string, type: AmdDomainType): number {
  const s = amdState(m);
  const id = domainIdAlloc(s);
  if (!id) return -1;
  const dom: AmdDomain = {
    id, name, type, mode: PAGE_MODE_3_LEVEL, root: 0, updated: false,
    devIommu: s.iommus.map(() => 0), devCnt: 0, devList: [], iovad: null, ptPages: 0, freed: false,
    flushAll: false, skippedSince: s.iommus.map(() => -1),
  };
  dom.root = amdAllocTable(m, dom, PAGE_MODE_3_LEVEL - 1);
  if (dom.root < 0) {
    domainIdFree(s, id);
    return -1;
  }
  if (type === 'dma') {
    dom.iovad = initIovaDomain(4096, IOVA_START_PFN, iovaQuirksFor(m.config.kernel));
    initIovaFlushQueue(dom.iovad);
    copyReservedIova(s.reserved, dom.iovad);
  }
  s.domains.push(dom);
  m.emit('amd-domain', { op: 'alloc', domain: name, id, type, mode: dom.mode, root: dom.root });
  return s.domains.length - 1;
}

/** amd_iommu_domain_free after its devices are gone: the page table (v5.0: leaked), the ID. */
export function amdDomainFree(m: Machine, index: number): void {
  const s = amdState(m);
  const dom = s.domains[index];
  freePagetable(m, dom);
  domainIdFree(s, dom.id);
  dom.freed = true;
  m.emit('amd-domain', { op: 'free', domain: dom.name, id: dom.id, type: dom.type, mode: dom.mode, root: dom.root });
}

/** amd_iommu_domain_direct_map: drop the page table, mode PAGE_MODE_NONE (DMA passes untranslated). */
export function amdDomainDirectMap(m: Machine, index: number): void {
  const dom = amdState(m).domains[index];
  freePagetable(m, dom);
  dom.mode = PAGE_MODE_NONE;
  dom.root = 0;
}

export function amdDomainByName(s: AmdState, name: string): number {
  for (let i = s.domains.length - 1; i >= 0; i--) if (s.domains[i].name === name && !s.domains[i].freed) return i;
  return -1;
}
