/** A PCI function as the DMAR driver prints it: "%02x:%02x.%d" (bus, slot, function). */
export function bdfText(bus: number, devfn: number): string {
  return `${bus.toString(16).padStart(2, '0')}:${(devfn >> 3).toString(16).padStart(2, '0')}.${devfn & 7}`;
}
