/** A VT-d second-level page table as the driver holds it (struct dmar_domain's pgd, agaw, gaw). */
export interface VtdPgtable {
  /** Domain name the records carry ("vtd-dom1"). */
  domain: string;
  /** PA of the top-level table (domain->pgd); 0 once domain_exit freed it. */
  pgd: number;
  /** Adjusted guest address width index: levels = agaw + 2. */
  agaw: number;
  /** Guest address width in bits (domain->gaw): the IOVA limit. */
  gaw: number;
  /** domain->iommu_superpage: 0 none, 1 up to 2 MiB, 2 up to 1 GiB. */
  superpage: number;
  /** Table pages in use (the top one included). */
  tables: number;
}
