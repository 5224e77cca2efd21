/**
 * PCI constants as include/uapi/linux/pci_regs.h and include/linux/pci_ids.h spell them
 * (identical in v5.0.1 and v5.4.1).
 */

/** ACS capability / control bits (PCI_ACS_CAP 0x04, PCI_ACS_CTRL 0x06 in the ACS extended capability). */
export const PCI_ACS_SV = 0x0001; // Source Validation
export const PCI_ACS_TB = 0x0002; // Translation Blocking
export const PCI_ACS_RR = 0x0004; // P2P Request Redirect
export const PCI_ACS_CR = 0x0008; // P2P Completion Redirect
export const PCI_ACS_UF = 0x0010; // Upstream Forwarding
export const PCI_ACS_EC = 0x0020; // P2P Egress Control
export const PCI_ACS_DT = 0x0040; // Direct Translated P2P

export const ACS_BITS = { SV: PCI_ACS_SV, TB: PCI_ACS_TB, RR: PCI_ACS_RR, CR: PCI_ACS_CR, UF: PCI_ACS_UF, EC: PCI_ACS_EC, DT: PCI_ACS_DT } as const;
export type AcsBitName = keyof typeof ACS_BITS;
export const ACS_BIT_NAMES = Object.keys(ACS_BITS) as AcsBitName[];

/** pci_bridge_has_acs_redir (drivers/pci/p2pdma.c): any of these in ACS control redirects P2P upstream. */
export const ACS_REDIR_BITS = PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_EC;

/** pci_std_enable_acs (drivers/pci/pci.c): what the kernel turns on when an IOMMU asked for ACS. */
export const ACS_KERNEL_ENABLES = PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF;

/** "RR|CR" for a control word; "-" when none. */
export function acsText(bits: number): string {
  const names = ACS_BIT_NAMES.filter((n) => bits & ACS_BITS[n]);
  return names.length ? names.join('|') : '-';
}

/** PCI Express port types (PCI_EXP_FLAGS_TYPE), the ones the topology has. */
export const PCI_EXP_TYPE_ENDPOINT = 0x0;
export const PCI_EXP_TYPE_ROOT_PORT = 0x4;
export const PCI_EXP_TYPE_UPSTREAM = 0x5;
export const PCI_EXP_TYPE_DOWNSTREAM = 0x6;
export const PCI_EXP_TYPE_RC_END = 0x9;

export const PCI_VENDOR_ID_AMD = 0x1022;
export const PCI_VENDOR_ID_INTEL = 0x8086;
export const PCI_VENDOR_ID_PLX = 0x10b5;
