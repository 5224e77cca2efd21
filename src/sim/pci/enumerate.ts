/**
 * Enumeration: the tree a scenario describes becomes functions with bus numbers and
 * devfns, as pci_scan_child_bus_extend (drivers/pci/probe.c) finds them: every slot of a
 * bus first, then each bridge in devfn order gets the next bus number as its secondary
 * bus and is scanned depth first; its subordinate is the last bus found below it. The
 * same order is the order of pci_bus_add_devices and so of pci_get_device(). BARs without
 * a fixed address are placed by "firmware": in that order, each aligned to its size,
 * first fit in the host bridge's memory window.
 */
import { formatBdf } from './bdf.ts';
import type { PciBar, PciFn, PciFnType, PciHost, PciHostIommu } from './types.ts';

export interface PciAcsIn {
  /** PCI_ACS_CAP and PCI_ACS_CTRL as firmware left them. */
  cap: number;
  ctrl: number;
}

export interface PciBarIn {
  bar: number;
  size: number;
  addr?: number;
  prefetch: boolean;
  is64: boolean;
}

interface NodeCommon {
  /** Where the node is in the scenario, for problems ("pci.hostBridges[0].children[1]"). */
  path: string;
  name?: string;
  dev?: number;
  fn?: number;
  vendor?: number;
  device?: number;
  acs?: PciAcsIn;
}

export interface PciEndpointIn extends NodeCommon {
  type: 'endpoint';
  driver?: string;
  bars: PciBarIn[];
}

export interface PciRootPortIn extends NodeCommon {
  type: 'root-port';
  children: PciNodeIn[];
}

export interface PciSwitchPortIn extends NodeCommon {
  children: PciNodeIn[];
}

export interface PciSwitchIn extends NodeCommon {
  type: 'switch';
  ports: PciSwitchPortIn[];
}

export type PciNodeIn = PciEndpointIn | PciRootPortIn | PciSwitchIn;

export interface PciHostIn {
  path: string;
  name?: string;
  segment: number;
  bus?: number;
  vendor: number;
  device: number;
  window: { cpu: number; bus: number; size: number };
  iommu: PciHostIommu | null;
  children: PciNodeIn[];
}

export interface PciProblem {
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

export interface Enumerated {
  hosts: PciHost[];
  fns: PciFn[];
  /** Per function, where the scenario declared it. */
  paths: string[];
  problems: PciProblem[];
}

/** A function found on a bus, before its children are numbered. */
interface Slot {
  node: PciNodeIn | PciSwitchPortIn | null;
  type: PciFnType;
  devfn: number;
  vendor: number;
  device: number;
  driver: string;
  path: string;
  acs?: PciAcsIn;
  bars: PciBarIn[];
  /** What sits on the secondary bus of a bridge. */
  below: (PciNodeIn | PciSwitchPortIn)[];
  belowType: 'bus' | 'switch-ports';
}

const DEFAULT_IDS: Record<PciFnType, [number, number]> = {
  host: [0x8086, 0x0000],
  'root-port': [0x8086, 0x0000],
  upstream: [0x10b5, 0x8796], // a PLX PEX 8796 switch
  downstream: [0x10b5, 0x8796],
  endpoint: [0x1b36, 0x0005], // QEMU's PCI test device
};

function isBridge(t: PciFnType): boolean {
  return t === 'root-port' || t === 'upstream' || t === 'downstream';
}

export function enumeratePci(hostsIn: readonly PciHostIn[]): Enumerated {
  const problems: PciProblem[] = [];
  const hosts: PciHost[] = [];
  const fns: PciFn[] = [];
  const paths: string[] = [];
  let nextBus = 0;

  /** The vendor of the host bridge being scanned: its root ports default to it. */
  let hostVendor = 0x8086;

  /** The slots of one bus, with default devfns: `first` is the default device number of the first child. */
  function slotsOf(children: readonly (PciNodeIn | PciSwitchPortIn)[], switchPorts: boolean, first: number): Slot[] {
    const out: Slot[] = [];
    let fnNext = 0;
    children.forEach((c, i) => {
      const isPort = switchPorts;
      const type: PciFnType = isPort ? 'downstream' : (c as PciNodeIn).type === 'switch' ? 'upstream' : ((c as PciNodeIn).type as PciFnType);
      // Under a port one link: endpoints default to functions of device 0; a root bus or a
      // switch's internal bus holds one function per device number.
      const onePerDev = isPort || first > 0;
      const dev = c.dev ?? (onePerDev ? first + i : 0);
      const fn = c.fn ?? (onePerDev ? 0 : fnNext++);
      if (dev > 31 || fn > 7) problems.push({ path: c.path, message: `device ${dev} function ${fn} is not a PCI slot (device 0..31, function 0..7)` });
      const [v, d] = type === 'root-port' ? [hostVendor, 0] : DEFAULT_IDS[type];
      const node = c as PciNodeIn;
      out.push({
        node: c,
        type,
        devfn: ((dev & 31) << 3) | (fn & 7),
        vendor: c.vendor ?? v,
        device: c.device ?? d,
        driver: type === 'endpoint' ? (node as PciEndpointIn).driver ?? 'pci' : 'pcieport',
        path: c.path,
        acs: c.acs,
        bars: type === 'endpoint' ? (node as PciEndpointIn).bars : [],
        below: isPort ? (c as PciSwitchPortIn).children : node.type === 'root-port' ? node.children : node.type === 'switch' ? node.ports : [],
        belowType: node.type === 'switch' && !isPort ? 'switch-ports' : 'bus',
      });
    });
    const seen = new Map<number, string>();
    for (const s of out) {
      const other = seen.get(s.devfn);
      if (other !== undefined) problems.push({ path: s.path, message: `two functions at device ${s.devfn >> 3} function ${s.devfn & 7} on one bus (also ${other})`, hint: 'give "dev"/"fn" explicitly' });
      seen.set(s.devfn, s.path);
    }
    return out.sort((a, b) => a.devfn - b.devfn);
  }

  /** pci_scan_child_bus: add every slot, then number and scan each bridge's bus depth first. */
  function scanBus(host: number, segment: number, bus: number, slots: Slot[], up: number): void {
    const ids: number[] = [];
    for (const s of slots) {
      const f: PciFn = {
        id: fns.length,
        name: '',
        type: s.type,
        segment,
        bus,
        devfn: s.devfn,
        vendor: s.vendor,
        device: s.device,
        driver: s.driver,
        up,
        host,
        secondary: -1,
        subordinate: -1,
        acsCap: s.acs ? s.acs.cap : null,
        acsCtrl: s.acs ? s.acs.ctrl : 0,
        bars: s.bars.map((b): PciBar => ({ index: b.bar, start: b.addr ?? -1, size: b.size, prefetch: b.prefetch, is64: b.is64 })),
        p2p: null,
        dev: -1,
      };
      const bdf = { segment, bus, dev: s.devfn >> 3, fn: s.devfn & 7 };
      f.name = s.node?.name ?? formatBdf(bdf);
      fns.push(f);
      paths.push(s.path);
      ids.push(f.id);
    }
    slots.forEach((s, i) => {
      if (!isBridge(s.type)) return;
      const f = fns[ids[i]];
      f.secondary = ++nextBus;
      if (nextBus > 255) problems.push({ path: s.path, message: 'more than 256 buses below one host bridge' });
      const below = slotsOf(s.below, s.belowType === 'switch-ports', 0);
      scanBus(host, segment, f.secondary, below, f.id);
      f.subordinate = nextBus;
    });
  }

  hostsIn.forEach((h, hi) => {
    const sameSegment = hi > 0 && h.segment === hostsIn[hi - 1].segment;
    const bus = h.bus ?? (sameSegment ? nextBus + 1 : 0);
    if (sameSegment && bus <= nextBus) {
      problems.push({ path: `${h.path}.bus`, message: `root bus ${bus} overlaps the buses of the previous host bridge (up to ${nextBus})`, hint: `use ${nextBus + 1} or more, or another segment` });
    }
    nextBus = bus;
    const host: PciHost = {
      name: h.name ?? `pci${h.segment.toString(16).padStart(4, '0')}:${bus.toString(16).padStart(2, '0')}`,
      segment: h.segment,
      bus,
      rootFn: -1,
      window: { ...h.window },
      iommu: h.iommu,
    };
    hosts.push(host);
    hostVendor = h.vendor;
    // The host bridge's own function at 00.0 (what the v5.4 whitelist reads), then the children.
    const rootSlot: Slot = {
      node: null, type: 'host', devfn: 0, vendor: h.vendor, device: h.device, driver: 'pci', path: h.path, bars: [], below: [], belowType: 'bus',
    };
    const children = slotsOf(h.children, false, 1);
    const slots = [rootSlot, ...children].sort((a, b) => a.devfn - b.devfn);
    const before = fns.length;
    scanBus(hi, h.segment, bus, slots, -1);
    host.rootFn = fns.findIndex((f, i) => i >= before && f.type === 'host');
    placeBars(host, fns.slice(before), paths, problems);
  });
  checkNames(fns, paths, problems);
  return { hosts, fns, paths, problems };
}

/** Firmware's BAR placement: fixed addresses first checked, the rest first fit, size aligned. */
function placeBars(host: PciHost, fns: PciFn[], paths: string[], problems: PciProblem[]): void {
  const { cpu, size } = host.window;
  const taken: { start: number; end: number }[] = [];
  const overlaps = (s: number, e: number) => taken.some((t) => s < t.end && t.start < e);
  for (const f of fns) {
    for (const b of f.bars) {
      if (b.start < 0) continue;
      if (b.start < cpu || b.start + b.size > cpu + size) problems.push({ path: `${paths[f.id]}.bars`, message: `BAR ${b.index} at 0x${b.start.toString(16)} is outside the host bridge window`, hint: 'see the host bridge\'s "window"' });
      else if (b.start % b.size) problems.push({ path: `${paths[f.id]}.bars`, message: `BAR ${b.index} at 0x${b.start.toString(16)} is not aligned to its size (0x${b.size.toString(16)})` });
      else if (overlaps(b.start, b.start + b.size)) problems.push({ path: `${paths[f.id]}.bars`, message: `BAR ${b.index} at 0x${b.start.toString(16)} overlaps another BAR` });
      taken.push({ start: b.start, end: b.start + b.size });
    }
  }
  for (const f of fns) {
    for (const b of f.bars) {
      if (b.start >= 0) continue;
      let at = Math.ceil(cpu / b.size) * b.size;
      while (at + b.size <= cpu + size && overlaps(at, at + b.size)) at += b.size;
      if (at + b.size > cpu + size) {
        problems.push({ path: `${paths[f.id]}.bars`, message: `no room for BAR ${b.index} (${b.size} bytes) in the host bridge window`, hint: 'make the window bigger' });
        b.start = 0;
        continue;
      }
      b.start = at;
      taken.push({ start: at, end: at + b.size });
    }
  }
}

function checkNames(fns: PciFn[], paths: string[], problems: PciProblem[]): void {
  const seen = new Set<string>();
  for (const f of fns) {
    if (seen.has(f.name)) problems.push({ path: `${paths[f.id]}.name`, message: `two PCI functions named "${f.name}"` });
    seen.add(f.name);
  }
}

export function pciName(f: PciFn): string {
  return formatBdf({ segment: f.segment, bus: f.bus, dev: f.devfn >> 3, fn: f.devfn & 7 });
}
