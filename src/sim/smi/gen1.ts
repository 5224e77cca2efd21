/**
 * SMI gen1 (mt2701): ports are numbered flat across larbs (port_in_larb gives each larb's
 * first id), and a port's "use the M4U" setting lives in smi-common's always-on (AO)
 * register space, not in the larb: one 4-bit field per port in REG_SMI_SECUR_CON, eight
 * ports per 32-bit register. drivers/memory/mtk-smi.c: mtk_smi_larb_config_port_gen1,
 * mtk_smi_larb_mt2701 and the SMI_SECUR_CON_* macros (v5.0 and v5.4 alike).
 *
 * The mt2701 M4U is a different driver (mtk_iommu_v1.c, a flat one-level table), which dmadbg
 * does not model, so no scenario reaches this yet; the SMI side is complete and tested.
 */
import { hex32 } from '../core/hex.ts';

/** LARB0..LARB3_PORT_OFFSET from dt-bindings/memory/mt2701-larb-port.h. */
export const MT2701_PORT_IN_LARB: readonly number[] = [0, 11, 21, 44];

export const REG_SMI_SECUR_CON_BASE = 0x5c0;
/** Eight ports per register. */
export const REG_SMI_SECUR_CON_ADDR = (id: number): number => REG_SMI_SECUR_CON_BASE + ((id >> 3) << 2);
const shiftOf = (id: number): number => (id & 0x7) << 2;
/** Clears the port's 4-bit field. */
export const SMI_SECUR_CON_VAL_MSK = (id: number): number => ~(0xf << shiftOf(id)) >>> 0;
/** Bit 3 of the field: the port issues virtual addresses (through the M4U). */
export const SMI_SECUR_CON_VAL_VIRT = (id: number): number => (1 << (shiftOf(id) + 3)) >>> 0;
/** Bits 1..2 of the field: the domain, always 3 in the kernel. */
export const SMI_SECUR_CON_VAL_DOMAIN = (id: number): number => (0x3 << (shiftOf(id) + 1)) >>> 0;

/** smi-common gen1: the AO registers, and the extra "async" clock probe enables. */
export interface SmiGen1Common {
  ao: Record<number, number>;
  clocks: string[];
}

export function smiGen1CommonProbe(): SmiGen1Common {
  // mtk_smi_common_probe: gen1 maps "smi_ao" and enables the "async" clock once, at probe.
  return { ao: {}, clocks: ['async'] };
}

export interface RegWrite {
  readonly reg: string;
  readonly off: string;
  readonly val: string;
}

/**
 * config_port for one larb: for every port whose bit is set in the larb's `mmu` mask, set
 * VIRT and DOMAIN in its field (read-modify-write). Ports not set are left as they are:
 * the kernel never clears a field here.
 */
export function smiGen1ConfigPort(common: SmiGen1Common, larbid: number, mmu: number, portInLarb = MT2701_PORT_IN_LARB): RegWrite[] {
  const writes: RegWrite[] = [];
  const first = portInLarb[larbid];
  const count = portInLarb[larbid + 1] - first;
  for (let i = 0, id = first; i < count; i++, id++) {
    if (!(mmu & (1 << i))) continue;
    const off = REG_SMI_SECUR_CON_ADDR(id);
    const val = (((common.ao[off] ?? 0) & SMI_SECUR_CON_VAL_MSK(id)) | SMI_SECUR_CON_VAL_VIRT(id) | SMI_SECUR_CON_VAL_DOMAIN(id)) >>> 0;
    common.ao[off] = val;
    writes.push({ reg: `REG_SMI_SECUR_CON(${id >> 3})`, off: hex32(off), val: hex32(val) });
  }
  return writes;
}
