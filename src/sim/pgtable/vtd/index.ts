/** The VT-d second-level page-table format (drivers/iommu/intel-iommu.c). */
export * from './bits.ts';
export type { VtdPgtable } from './types.ts';
export { vtdAllocTable, vtdFreeTable, vtdReadPte, vtdSetPte } from './tables.ts';
export { domainPfnSupported, hardwareLargepageCaps, pfnToDmaPte, vtdDomainMapping, type PteSlot, type VtdSg } from './map.ts';
export { type VtdFreeTable, vtdDomainUnmap, vtdFreePagelist, vtdPteClearRange, vtdPteFreePagetable } from './unmap.ts';
export { type VtdWalkStep, vtdIovaToPhys, vtdTableEntries, vtdWalk } from './walk.ts';
