/**
 * SMI state as plain data: smi-common (clocks, runtime-PM refcount, the SMI_BUS_SEL
 * register) and one entry per larb (its clocks and refcount, the `mmu` port mask the M4U
 * driver asked for, the larb registers config_port programs, and counters for the views).
 */
import type { Machine } from '../machine.ts';
import type { MtkSoc } from './plat.ts';
import { modelKey } from '../core/keys.ts';

export interface SmiCommonState {
  refcount: number;
  /** Clock names currently enabled, in enable order (apb, smi, gals0, gals1). */
  clocks: string[];
  /** SMI_BUS_SEL as last written (resets to 0 when common powers off). */
  busSel: number;
}

export interface SmiLarbState {
  id: number;
  name: string;
  ports: number;
  /** larb_direct_to_common_mask: no larb registers, no clocks of its own. */
  direct: boolean;
  /** Index of the M4U instance the larb is bound to. */
  m4u: number;
  refcount: number;
  clocks: string[];
  /** larb->mmu: BIT(port) for every port a device attached through (MTK_SMI_MMU_EN). */
  mmu: number;
  /**
   * The larb registers config_port writes, lost at power off: SMI_LARB_NONSEC_CON(port)
   * per port (gen2), and SMI_LARB_MMU_EN (gen1, one bit per port).
   */
  nonsecCon: number[];
  mmuEn: number;
  /** Per port: reads, writes, faults; DMA refused because the larb was off. */
  portReads: number[];
  portWrites: number[];
  portFaults: number[];
  blocked: number;
}

export interface SmiState {
  soc: MtkSoc;
  common: SmiCommonState;
  larbs: SmiLarbState[];
}

export const SMI_MODEL = modelKey<SmiState>('smi');

export function smiState(m: Machine): SmiState {
  return m.model(SMI_MODEL);
}
