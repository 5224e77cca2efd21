/** Trace kinds of the PCI topology and P2PDMA (collected in src/sim/trace-kinds.ts). */
import { bool, hex, int, oneOf, str } from '../trace/field.ts';
import { kind } from '../trace/spec.ts';
import { MAP_TYPE_NAMES } from './types.ts';

const mapType = (doc: string) => oneOf(MAP_TYPE_NAMES, doc);

export const PCI_KINDS = [
  kind('p2p-bridge', 'upstream_bridge_distance for one provider and one client: the walk to the nearest common upstream bridge, the ACS redirects on the way, the result.', {
    provider: str('provider, pci_name()'),
    client: str('client, pci_name()'),
    common: str('nearest common upstream node (pci_name), or "none"'),
    distA: int("dist_a: steps up the provider's chain"),
    distB: int("dist_b: steps up the client's chain"),
    acs: str('functions with ACS redirect (RR, CR or EC in ACS control) on the path, ";"-separated in the order the kernel lists them, or "-"'),
    distance: int('v5.0: dist_a + dist_b, -1 (no common upstream bridge) or -2 (ACS redirect on the path); v5.4: dist_a + dist_b'),
    mapType: mapType('v5.4: "BUS_ADDR", "THRU_HOST_BRIDGE" or "NOT_SUPPORTED" (whitelist refused)').opt(),
    whitelist: str('v5.4, when the path goes through the host bridge: the 00.0 function(s) host_bridge_whitelist read and its answer').opt(),
  }),
  kind('p2p-distance', 'pci_p2pdma_distance_many: the summed distance from a provider to its clients, -1 when any of them cannot do P2P with it.', {
    provider: str('provider, pci_name()'),
    clients: str('clients, ","-separated'),
    verbose: bool('verbose: the warnings are printed'),
    distance: int('the sum, or -1'),
  }),
  kind('p2pmem', 'Peer-to-peer memory: a driver added BAR memory (ZONE_DEVICE pages), published it, found a provider for a set of clients, allocated or freed some.', {
    op: oneOf(['add_resource', 'publish', 'find', 'alloc', 'free'], 'pci_p2pdma_add_resource, pci_p2pmem_publish, pci_p2pmem_find_many, pci_alloc_p2pmem, pci_free_p2pmem'),
    dev: str('the provider (find: the one chosen, or "none")'),
    bar: int('add_resource: the BAR').opt(),
    pa: hex('CPU physical address (the ZONE_DEVICE page)').opt(),
    bus: hex('PCI bus address of pa').opt(),
    size: int('bytes').opt(),
    clients: str('find: the clients, ","-separated').opt(),
    candidates: str('find: providers at the closest distance, ","-separated').opt(),
    distance: int('find: the closest distance').opt(),
    result: str('"ok", or the error (-EINVAL, -ENOMEM, NULL)'),
  }),
  kind('p2p-map', 'pci_p2pdma_map_sg / pci_p2pdma_unmap_sg: a client mapped (or unmapped) P2P memory for DMA.', {
    api: str('kernel function'),
    dev: str('the client doing the DMA'),
    provider: str('the provider owning the pages'),
    mapType: mapType('v5.4: the type cached for this provider and client ("UNKNOWN" when no distance was ever computed)').opt(),
    nents: int('scatterlist entries'),
    pa: hex('CPU physical address of the first entry'),
    dma: hex('dma address of the first entry (BUS_ADDR: pa - bus_offset; THRU_HOST_BRIDGE: what dma_map_sg gave)').opt(),
    len: int('bytes mapped'),
    result: oneOf(['ok', 'error'], '"ok" or "error"'),
    reason: str('why it failed').opt(),
  }),
] as const;
