/**
 * The `pci` section (host bridges, root ports, switches, endpoints with BARs, ACS and
 * p2pmem) and the `pci-endpoint` device kind: a PCI function and its driver scripted op
 * by op (P2P memory, DMA mappings, O_DIRECT reads, HMM mirroring, BAR mmaps).
 */
import { z } from 'zod';
import { ACS_BIT_NAMES, type AcsBitName } from '../../sim/pci/regs.ts';
import { Addr, BdfText, ByteValue, DELAY_OP, Duration, DmaMaskBits, Name, Offset, Size } from './common.ts';

/** A 16-bit PCI ID: 4176 or "0x1050". */
const Id16 = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : /^0x[0-9a-f]{1,4}$/i.test(v) ? parseInt(v, 16) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) {
    ctx.addIssue({ code: 'custom', message: `expected a 16-bit PCI id, got ${JSON.stringify(v)} (write it like "0x1022")` });
    return z.NEVER;
  }
  return n;
});

const AcsBit = z.enum(ACS_BIT_NAMES as [AcsBitName, ...AcsBitName[]]);
const Acs = z
  .strictObject({
    cap: z.array(AcsBit).default(['SV', 'RR', 'CR', 'UF']).describe('PCI_ACS_CAP: what the port supports'),
    ctrl: z.array(AcsBit).default([]).describe('PCI_ACS_CTRL as firmware left it (the kernel adds SV|RR|CR|UF of cap when an IOMMU asked for ACS)'),
  })
  .describe('the ACS extended capability; absent: the function has none');

const Bar = z.strictObject({
  bar: z.number().int().min(0).max(5).describe('BAR index'),
  size: Size.describe('bytes, a power of two of at least 4 KiB'),
  addr: Addr.optional().describe('CPU physical address; default: placed in the host bridge window, aligned to its size'),
  prefetch: z.boolean().default(true).describe('prefetchable'),
  is64: z.boolean().default(true).describe('64-bit BAR'),
});

const P2pmem = z
  .strictObject({
    bar: z.number().int().min(0).max(5).describe('the BAR whose memory the driver adds'),
    size: Offset.default(0).describe('bytes (0: the rest of the BAR from offset)'),
    offset: Offset.default(0).describe('offset into the BAR'),
    publish: z.boolean().default(true).describe('pci_p2pmem_publish: other drivers may find and use it'),
  })
  .describe("the driver's probe adds BAR memory with pci_p2pdma_add_resource (ZONE_DEVICE struct pages)");

const slot = {
  name: Name.optional().describe('name devices and ops refer to (default: its PCI address)'),
  dev: z.number().int().min(0).max(31).optional().describe('device number (default: by position)'),
  fn: z.number().int().min(0).max(7).optional().describe('function number (default: by position)'),
  vendor: Id16.optional().describe('PCI vendor id'),
  device: Id16.optional().describe('PCI device id'),
  acs: Acs.optional(),
};

export const PciEndpointNode = z.strictObject({
  type: z.literal('endpoint'),
  ...slot,
  driver: z.string().min(1).optional().describe('bound driver, printed in its kernel messages (default: "pci", none bound)'),
  bars: z.array(Bar).default([]),
  p2pmem: P2pmem.optional(),
}).describe('a PCI function (an endpoint): its BARs, ACS and the p2pmem its driver publishes; a pci-endpoint device with its name (or bdf) does its DMA');

export interface PciSwitchPortOut {
  name?: string;
  dev?: number;
  fn?: number;
  vendor?: number;
  device?: number;
  acs?: z.output<typeof Acs>;
  children: PciBelowPortOut[];
}
export type PciBelowPortOut = z.output<typeof PciEndpointNode> | PciSwitchOut;
export interface PciSwitchOut {
  type: 'switch';
  name?: string;
  dev?: number;
  fn?: number;
  vendor?: number;
  device?: number;
  acs?: z.output<typeof Acs>;
  ports: PciSwitchPortOut[];
}

const SwitchPort: z.ZodType<PciSwitchPortOut, unknown> = z.lazy(() =>
  z.strictObject({ ...slot, children: z.array(BelowPort).default([]).describe('what the downstream port leads to: one switch, or the functions of one device') }),
);
const Switch: z.ZodType<PciSwitchOut, unknown> = z.lazy(() =>
  z.strictObject({
    type: z.literal('switch'),
    ...slot,
    ports: z.array(SwitchPort).min(1).describe('downstream ports (acs here is the upstream port\'s)'),
  }).describe('a PCIe switch: an upstream port and its downstream ports; p2pdma traffic between its ports turns here without reaching the root complex (unless ACS redirects it upstream)'),
);
const BelowPort: z.ZodType<PciBelowPortOut, unknown> = z.lazy(() => z.union([PciEndpointNode, Switch]));

const RootPort = z
  .strictObject({
    type: z.literal('root-port'),
    ...slot,
    children: z.array(BelowPort).default([]).describe('what the root port leads to: one switch, or the functions of one device'),
  })
  .describe('a PCIe root port: its link leads to one switch or to the functions of one device; p2pdma traffic between root ports goes through the host bridge (the whitelist decides)');

const OnRootBus = z.union([RootPort, PciEndpointNode]);

export const HostBridge = z.strictObject({
  name: Name.optional().describe('default: "pciSSSS:BB"'),
  segment: z.number().int().min(0).max(0xffff).default(0).describe('PCI domain'),
  bus: z.number().int().min(0).max(255).optional().describe('root bus number (default: 0, or after the previous host bridge\'s buses)'),
  vendor: Id16.describe('vendor id of the function at 00.0 on the root bus (the v5.4 whitelist reads it)'),
  device: Id16.describe('device id of that function (AMD 0x1450 Zen; Intel 0x3c00/0x3c01/0x2f00/0x2f01 are whitelisted in v5.4)'),
  window: z
    .strictObject({
      cpu: Addr.describe('CPU physical base of the memory window'),
      bus: Addr.optional().describe('bus address it decodes to (default: the same as cpu, as on x86)'),
      size: Size,
    })
    .describe('the memory window BARs are placed in'),
  iommu: z.boolean().default(false).describe('an IOMMU translates DMA reaching this root complex (a stand-in for VT-d / AMD-Vi); the kernel then enables ACS'),
  children: z.array(OnRootBus).default([]).describe('root ports and integrated endpoints on the root bus'),
});

export const PciSection = z.strictObject({
  hostBridges: z.array(HostBridge).min(1),
  disableAcsRedir: z.string().optional().describe('the kernel parameter pci=disable_acs_redir=: PCI addresses separated by ";" (or ",")'),
});
export type PciSectionOut = z.output<typeof PciSection>;
export type HostBridgeOut = z.output<typeof HostBridge>;

const Dir = z.enum(['to-device', 'from-device', 'bidirectional']);
const Handle = Name.describe('a handle an earlier op created ("as")');
const Names = z.array(Name).default([]).describe('devices or PCI functions by name (default: this device)');

export const PciEpOpIn = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('p2p-distance'), provider: Name.describe('the provider'), clients: Names }).describe('pci_p2pdma_distance_many(provider, clients, verbose)'),
  z
    .strictObject({ op: z.literal('p2p-alloc'), as: Name, len: Size, provider: Name.optional().describe('allocate from this provider; default: pci_p2pmem_find_many(clients)'), clients: Names })
    .describe('pci_alloc_p2pmem from the closest published provider'),
  z.strictObject({ op: z.literal('p2p-free'), handle: Handle }).describe('pci_free_p2pmem: the p2pmem goes back to its provider\'s pool'),
  z.strictObject({ op: z.literal('p2p-map'), handle: Handle.describe('a p2p-alloc handle'), as: Name, dir: Dir.default('bidirectional') }).describe('pci_p2pdma_map_sg for this device'),
  z.strictObject({ op: z.literal('p2p-unmap'), handle: Handle.describe('a p2p-map handle') }).describe('pci_p2pdma_unmap_sg for this device'),
  z.strictObject({ op: z.literal('dma-map'), as: Name, buf: Name.describe('a buffer in memory.buffers'), offset: Offset.default(0), len: Size, dir: Dir }).describe('dma_map_sg of a host buffer'),
  z.strictObject({ op: z.literal('dma-unmap'), handle: Handle }).describe('dma_unmap_sg of a dma-map handle'),
  z.strictObject({ op: z.literal('write'), handle: Handle.describe('a p2p-map or dma-map handle'), offset: Offset.default(0), len: Size, pattern: ByteValue.default(0xa5) }).describe('the device writes through a mapping'),
  z.strictObject({ op: z.literal('read'), handle: Handle, offset: Offset.default(0), len: Size }).describe('the device reads through a mapping'),
  z
    .strictObject({ op: z.literal('odirect-read'), process: Name, va: Addr, len: Size, pattern: ByteValue.default(0x5a).describe('the data on the disk') })
    .describe('the process reads from this block device with O_DIRECT into its buffer at va'),
  z
    .strictObject({
      op: z.literal('mmap-bar'),
      process: Name,
      va: Addr,
      len: Size,
      how: z.enum(['vm_insert_page', 'remap_pfn_range', 'p2p-vma']).describe('vm_insert_page of p2pmem from its own pool (struct pages), remap_pfn_range of the BAR (VM_PFNMAP), or the RFC\'s p2p VMA'),
      bar: z.number().int().min(0).max(5).default(0),
      offset: Offset.default(0).describe('offset into the BAR'),
    })
    .describe('the driver maps its BAR into the process (its mmap file operation)'),
  z.strictObject({ op: z.literal('bar-move'), process: Name, va: Addr, len: Size, offset: Offset.describe('new BAR offset behind va') }).describe('the exporter re-points its BAR window: zap_vma_ptes, then the new offset'),
  z.strictObject({ op: z.literal('hmm-mirror'), process: Name }).describe('hmm_mirror_register on the process'),
  z.strictObject({ op: z.literal('hmm-unmirror') }).describe('hmm_mirror_unregister'),
  z
    .strictObject({ op: z.literal('hmm-access'), va: Addr, len: Size, dir: z.enum(['read', 'write']), pattern: ByteValue.default(0xa5) })
    .describe('the device reads or writes process memory through its page table (faults are serviced with HMM)'),
  z.strictObject({ op: z.literal('hmm-fault'), va: Addr, len: Size, write: z.boolean().default(false) }).describe('the driver prefaults a range into the device page table'),
  z.strictObject({ op: z.literal('delay'), ns: Duration, jitter: Duration.default(0).describe('plus a random 0..jitter from the seed') }).describe(DELAY_OP),
]);
export type PciEpOpOut = z.output<typeof PciEpOpIn>;

export const PciEndpoint = z.strictObject({
  kind: z.literal('pci-endpoint'),
  name: Name.describe('also the name of its endpoint in the pci section, unless bdf says which'),
  bdf: BdfText.optional().describe('its PCI function, "0000:03:00.0"'),
  dmaMask: DmaMaskBits.default(64),
  start: Duration.default(0).describe('virtual time of the first op'),
  period: Duration.default(1000).describe('virtual time between rounds'),
  jitter: Duration.default(0).describe('extra random delay per round, 0..jitter, from the seed'),
  repeat: z.number().int().min(1).max(10_000_000).default(1),
  encoding: z.enum(['nouveau', 'amdgpu']).default('nouveau').describe("HMM pfn encoding of the driver's range (flags/values/pfn_shift)"),
  faultLatency: Duration.default(500).describe('from a device page fault to the driver servicing it'),
  commitDelay: Duration.default(200).describe('from the snapshot to taking the driver lock and committing it'),
  commitJitter: Duration.default(0).describe('extra random delay on top of commitDelay, from the seed'),
  ops: z.array(PciEpOpIn).min(1),
}).describe('a PCI endpoint\'s driver and device (a GPU, an NVMe drive, a NIC): peer-to-peer DMA with p2pmem (drivers/pci/p2pdma.c), DMA API mappings of host buffers, its BAR mapped into processes, and HMM mirroring of a process\'s address space (mm/hmm.c). Its PCI function is in the `pci` section');
export type PciEndpointOut = z.output<typeof PciEndpoint>;
