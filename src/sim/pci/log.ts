/**
 * The kernel's printk prefixes for PCI functions: pci_info/pci_warn/pci_err are dev_printk
 * on &pdev->dev, "<driver> <pci_name>: " (dev_driver_string is the bound driver's name, or
 * the bus's, "pci", when none); pr_* in drivers/pci/p2pdma.c get pr_fmt "pci-p2pdma: ".
 */
import type { Machine } from '../machine.ts';
import type { KLOG_LEVELS } from '../trace-kinds.ts';
import type { PciFn } from './types.ts';
import { pciName } from './enumerate.ts';

type Level = (typeof KLOG_LEVELS)[number];

export function pciPrefix(f: PciFn): string {
  return `${f.driver} ${pciName(f)}: `;
}

/** pci_info / pci_warn / pci_err (include/linux/pci.h). */
export function pciLog(m: Machine, level: Level, f: PciFn, text: string): void {
  m.emit('klog', { level, text: pciPrefix(f) + text });
}

/** pr_* under pr_fmt "pci-p2pdma: ". */
export function p2pdmaLog(m: Machine, level: Level, text: string): void {
  m.emit('klog', { level, text: `pci-p2pdma: ${text}` });
}

/** %pR of a memory resource (lib/vsprintf.c resource_string): "[mem 0x%08llx-0x%08llx 64bit pref]". */
export function resourceText(start: number, size: number, flags: { is64: boolean; prefetch: boolean }): string {
  const h = (n: number) => '0x' + n.toString(16).padStart(8, '0');
  const end = start + size - 1;
  const range = start === end ? h(start) : `${h(start)}-${h(end)}`;
  return `[mem ${range}${flags.is64 ? ' 64bit' : ''}${flags.prefetch ? ' pref' : ''}]`;
}
