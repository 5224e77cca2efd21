/**
 * View model of the page-table panel: plain data the debugger derives from an IOMMU
 * domain's page table (ARM v7s short descriptor as MediaTek's M4U uses it). Only
 * populated entries are listed; the panel condenses runs and walks IOVAs from this data.
 *
 * Wiring (lead, at merge): in the debugger's view(), for each domain of the mtk model,
 * decode every valid L1 entry and every valid entry of each L2 table it points to
 * (src/sim/pgtable/arm-v7s decode helpers), mark `changed` for entries whose raw word
 * differs from the previous stop's, and set `walkIova` to the IOVA of the current stop's
 * record (fault/dma `iova`/`addr`) when there is one.
 */
export type PteType = 'invalid' | 'section' | 'supersection' | 'table' | 'large' | 'small';

export interface PteView {
  /** Index in its table (L1: iova[31:20], L2: iova[19:12]). */
  readonly index: number;
  /** The 32-bit descriptor word. */
  readonly raw: number;
  readonly type: PteType;
  /** Output address: the PA for a leaf, the L2 table's PA for `table`. */
  readonly out: number;
  /** Access permissions, decoded: "rw", "ro", "rw xn", "none". */
  readonly perm: string;
  /** Memory attributes, decoded: "normal wb", "device", "tex=1 c b". */
  readonly attr: string;
  /** Non-secure bit. */
  readonly ns: boolean;
  /** MediaTek extra PA bits, decoded ("pa[32]=1 (bit9)", "pa[33:32]=2 (bits 4,9)"), or "". */
  readonly mtk: string;
  /** The raw word differs from the one at the previous stop. */
  readonly changed?: boolean;
}

export interface PgtableDomainView {
  /** "mtk-m4u domain 0 (mmu0)". */
  readonly name: string;
  /** PA of the L1 table (TTBR). */
  readonly ttbr: number;
  /** Valid L1 entries, sorted by index. */
  readonly l1: readonly PteView[];
  /** Valid entries of each L2 table, keyed by the L1 index that points to it. */
  readonly l2: Readonly<Record<number, readonly PteView[]>>;
}

export interface PgtableView {
  readonly format: 'arm-v7s';
  readonly domains: readonly PgtableDomainView[];
  /** The IOVA of the current stop (a fault, a dma record): the panel shows its walk. */
  readonly walkIova?: number;
}
