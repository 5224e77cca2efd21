/** Text of the PCI tree, shared by `info pci` and the PCI panel. */
import { hex } from '../../sim/core/hex.ts';
import { acsText } from '../../sim/pci/regs.ts';

export { acsText };
export { ridText } from '../../sim/pci/bdf.ts';
import type { PciFnStatus, PciHostStatus } from '../../sim/pci/status.ts';

const id16 = (n: number) => n.toString(16).padStart(4, '0');

/** The host bridge's IOMMU as a kernel engineer names it: "VT-d dmar0", "AMD-Vi iommu1". */
export function hostIommuText(h: PciHostStatus): string {
  return h.iommu ? `${h.iommu.translator === 'vtd' ? 'VT-d' : 'AMD-Vi'} ${h.iommu.unit}` : '';
}
export const size = (n: number) => (n >= 1 << 30 && n % (1 << 30) === 0 ? `${n / (1 << 30)}G` : n >= 1 << 20 && n % (1 << 20) === 0 ? `${n / (1 << 20)}M` : n >= 1024 && n % 1024 === 0 ? `${n / 1024}K` : `${n}`);

const TYPE_WORD: Record<PciFnStatus['type'], string> = { host: 'host bridge', 'root-port': 'root port', upstream: 'switch upstream', downstream: 'switch downstream', endpoint: 'endpoint' };

export function hostLine(h: PciHostStatus): string {
  const wl = h.whitelisted === 'any' ? 'whitelisted' : h.whitelisted === 'same-host-bridge' ? 'whitelisted (same host bridge only)' : 'not whitelisted';
  const off = h.window.cpu - h.window.bus;
  return `${h.name}: root bus ${h.bus.toString(16).padStart(2, '0')}, 00.0 ${id16(h.vendor)}:${id16(h.device)} ${wl}, window ${hex(h.window.cpu)}+${size(h.window.size)}${off ? ` (bus ${hex(h.window.bus)})` : ''}${h.iommu ? `, IOMMU ${hostIommuText(h)}` : ''}`;
}

/** One function as the tree and `info pci` show it (without the tree prefix). */
export function fnLine(f: PciFnStatus): string {
  const parts = [f.bdf, f.name !== f.bdf ? f.name : '', TYPE_WORD[f.type], `${id16(f.vendor)}:${id16(f.device)}`];
  if (f.type === 'endpoint') parts.push(f.driver);
  if (f.buses) parts.push(`bus ${f.buses[0].toString(16).padStart(2, '0')}-${f.buses[1].toString(16).padStart(2, '0')}`);
  if (f.acsCap !== null) parts.push(`ACS cap ${acsText(f.acsCap)} ctrl ${acsText(f.acsCtrl)}`);
  return parts.filter(Boolean).join('  ');
}

/** `host`: the function's host bridge, whose IOMMU remaps the DMA of the device driving it. */
export function detailLines(f: PciFnStatus, indent: string, host?: PciHostStatus): string[] {
  const out: string[] = [];
  for (const b of f.bars) out.push(`${indent}BAR${b.index} ${hex(b.start)}+${size(b.size)}${b.bus !== b.start ? ` (bus ${hex(b.bus)})` : ''}${b.is64 ? ' 64bit' : ''}${b.prefetch ? ' pref' : ''}`);
  if (f.p2pmem) out.push(`${indent}p2pmem ${hex(f.p2pmem.start)}+${size(f.p2pmem.size)} ${f.p2pmem.published ? 'published' : 'not published'}, ${size(f.p2pmem.used)} in use`);
  if (f.dev) out.push(`${indent}driven by device ${f.dev}${host?.iommu ? `, its DMA remapped by ${hostIommuText(host)}` : ''}`);
  return out;
}

/** The tree with box-drawing prefixes, one entry per function. */
export function treeRows(fns: readonly PciFnStatus[]): { fn: PciFnStatus; prefix: string }[] {
  const open: boolean[] = [];
  return fns.map((f) => {
    open[f.depth] = !f.last;
    let prefix = '';
    for (let d = 0; d < f.depth; d++) prefix += open[d] ? '│ ' : '  ';
    prefix += f.type === 'host' ? '' : f.last ? '└ ' : '├ ';
    return { fn: f, prefix };
  });
}

