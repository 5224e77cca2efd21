/**
 * The PCI topology as plain data: host bridges with their root bus, and every function
 * (struct pci_dev) in the order the kernel added them (pci_bus_add_devices: a bus's
 * devices, then each bridge's child bus), which is the order pci_get_device() walks.
 * Bridges keep their secondary/subordinate bus numbers; every function keeps the bridge
 * above it (pci_upstream_bridge), its ACS capability and control words, its BARs, and
 * the p2pdma state a driver gave it (pci_p2pdma_add_resource).
 */
import { modelKey } from '../core/keys.ts';
import type { Prng } from '../core/prng.ts';

export type PciFnType = 'host' | 'root-port' | 'upstream' | 'downstream' | 'endpoint';

/** One memory BAR: its CPU physical range (pci_resource_start/len). */
export interface PciBar {
  index: number;
  start: number;
  size: number;
  prefetch: boolean;
  is64: boolean;
}

/** enum pci_p2pdma_map_type (v5.4.1 drivers/pci/p2pdma.c). */
export const PCI_P2PDMA_MAP_UNKNOWN = 0;
export const PCI_P2PDMA_MAP_NOT_SUPPORTED = 1;
export const PCI_P2PDMA_MAP_BUS_ADDR = 2;
export const PCI_P2PDMA_MAP_THRU_HOST_BRIDGE = 3;
export type P2pMapType = 0 | 1 | 2 | 3;
export const MAP_TYPE_NAMES = ['UNKNOWN', 'NOT_SUPPORTED', 'BUS_ADDR', 'THRU_HOST_BRIDGE'] as const;
export type MapTypeName = (typeof MAP_TYPE_NAMES)[number];

/**
 * One pci_p2pdma_add_resource() chunk: ZONE_DEVICE struct pages (MEMORY_DEVICE_PCI_P2PDMA)
 * over [start, start + size) of CPU physical space, added to the device's gen_pool with
 * its bus address. `used` has one entry per page (gen_pool min_alloc_order = PAGE_SHIFT).
 */
export interface P2pChunk {
  bar: number;
  start: number;
  size: number;
  /** pci_bus_address(pdev, bar) - pci_resource_start(pdev, bar), as the kernel stores it. */
  busOffset: number;
  used: number[];
}

/** struct pci_dev->p2pdma. */
export interface P2pdmaState {
  published: boolean;
  chunks: P2pChunk[];
  /** v5.4 p2pdma->map_types: client map_types_idx -> map type, filled by upstream_bridge_distance. */
  mapTypes: Record<number, P2pMapType>;
}

export interface PciFn {
  id: number;
  name: string;
  type: PciFnType;
  segment: number;
  bus: number;
  devfn: number;
  vendor: number;
  device: number;
  /** dev_driver_string(): the bound driver, or "pci" (the bus) when none. */
  driver: string;
  /** pci_upstream_bridge(): the bridge whose secondary bus this function is on; -1 on a root bus. */
  up: number;
  host: number;
  /** Bridges: secondary and subordinate bus numbers; -1 otherwise. */
  secondary: number;
  subordinate: number;
  /** ACS extended capability: PCI_ACS_CAP (null when the function has none) and PCI_ACS_CTRL. */
  acsCap: number | null;
  acsCtrl: number;
  bars: PciBar[];
  p2p: P2pdmaState | null;
  /** Index of the device (devices.list) that drives this function, or -1. */
  dev: number;
}

/**
 * The IOMMU that translates what reaches a root complex from below: the translator its
 * driver provides ('vtd': a DMAR unit whose scope covers the bridge; 'amd': the IOMMU of
 * that root complex) and the unit's name. Devices under the bridge map through its DMA ops.
 */
export interface PciHostIommu {
  readonly translator: 'vtd' | 'amd';
  readonly unit: string;
}

/** A host bridge and its root bus (struct pci_host_bridge). */
export interface PciHost {
  name: string;
  segment: number;
  bus: number;
  /** The function at 00.0 on the root bus (pci_get_slot(host->bus, PCI_DEVFN(0, 0))), or -1. */
  rootFn: number;
  /** The memory window: CPU [cpu, cpu + size) decodes bus [bus, bus + size). */
  window: { cpu: number; bus: number; size: number };
  /** The IOMMU translating DMA that reaches this root complex, or null. */
  iommu: PciHostIommu | null;
}

/** A pci_alloc_p2pmem() allocation still held. */
export interface P2pAlloc {
  id: number;
  provider: number;
  /** CPU physical address (the ZONE_DEVICE page's pfn << PAGE_SHIFT) and bytes. */
  pa: number;
  size: number;
}

export interface PciState {
  hosts: PciHost[];
  /** Every function, in pci_get_device() order. */
  fns: PciFn[];
  allocs: P2pAlloc[];
  /** prandom_u32_max() in pci_p2pmem_find_many. */
  prng: Prng;
  /** WARN_ON_ONCE sites that fired ("p2pdma.c:873"). */
  warned: string[];
  /**
   * What the boot event applies: pci_request_acs() (an IOMMU driver found its ACPI table),
   * pci=disable_acs_redir= and the drivers' p2pmem probes.
   */
  boot: { acsRequested: boolean; disableAcsRedir: string; p2pmem: { fn: number; bar: number; size: number; offset: number; publish: boolean }[] };
}

export const PCI_MODEL = modelKey<PciState>('pci');
