/**
 * MediaTek M4U model state, plain data. Hardware side: per M4U instance a register file,
 * two mmu cells (mmu0, mmu1) each with its own IOTLB, fault status group and traffic
 * counters, and the pending-IRQ line. Driver side (struct mtk_iommu_data): which kernel's
 * driver runs, the shared domain and its v7s page table, tlb_flush_active per instance, the
 * protect buffer, and the scenario's injected range-flush timeouts.
 */
import type { Machine } from '../../machine.ts';
import type { ChoiceOf, MTK_DRIVER_GEN } from '../../kernel.ts';
import type { MtkSoc } from '../../smi/plat.ts';
import type { ArmV7sPgtable } from '../../pgtable/arm-v7s/types.ts';
import type { Iotlb } from '../iotlb.ts';
import { modelKey } from '../../core/keys.ts';

export type MtkDriverGen = ChoiceOf<typeof MTK_DRIVER_GEN>;

export interface MtkCellState {
  iotlb: Iotlb;
  reads: number;
  writes: number;
  walks: number;
  faults: number;
  /** "larb.port" -> faults seen by this cell. */
  faultsByPort: Record<string, number>;
  /** Device that caused the latched fault (the HW knows the port; the sim keeps the name). */
  faultDev: string;
}

export interface MtkM4uState {
  id: number;
  name: string;
  regs: number[];
  cells: [MtkCellState, MtkCellState];
  larbs: number[];
  irqPending: boolean;
  /** mtk_iommu_data.tlb_flush_active */
  tlbFlushActive: boolean;
  /** Set by the first attach (data->m4u_dom). */
  hasDomain: boolean;
  /** PA of the 128-byte-aligned translation-fault protect buffer (protect_base). */
  protectBase: number;
}

export interface MtkState {
  soc: MtkSoc;
  driver: MtkDriverGen;
  enable4GB: boolean;
  m4u: MtkM4uState[];
  /** Software larb id -> M4U instance index. */
  larbM4u: number[];
  domainId: number;
  pgtable: ArmV7sPgtable | null;
  /** Range syncs issued so far (the index the timeout injection counts in). */
  rangeSyncs: number;
  /** Range syncs (0-based) whose CPE_DONE never rises: the poll times out. */
  rangeFlushTimeouts: number[];
  /** A driver bug the scenario scripts: skip every TLB operation while set. */
  skipFlush: boolean;
  /** Delay between a fault and the ISR running. */
  irqLatencyNs: number;
  /** Client devices in scenario order, attached by the probe. */
  clients: string[];
}

export const MTK_MODEL = modelKey<MtkState>('mtk');
export const MTK_DRIVER = 'mtk';

export function mtkState(m: Machine): MtkState {
  return m.model(MTK_MODEL);
}

export const cellName = (cell: number): 'mmu0' | 'mmu1' => (cell === 0 ? 'mmu0' : 'mmu1');
