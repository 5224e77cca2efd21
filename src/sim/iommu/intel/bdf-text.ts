import { ridText } from '../../pci/bdf.ts';

/** A PCI function as the DMAR driver prints it: "%02x:%02x.%d" (bus, slot, function). */
export const bdfText = (bus: number, devfn: number): string => ridText((bus << 8) | devfn);
