/**
 * View model of the PCI panel: the tree (host bridges, ports, endpoints with ACS, BARs and
 * p2pmem), the p2pdma answer for every ordered pair of endpoints (the panel shows the one
 * between the marked provider and the selected row), and the function the current stop
 * names.
 */
import type { P2pPairStatus, PciFnStatus, PciHostStatus } from '../../sim/pci/status.ts';

export type { P2pPairStatus, PciFnStatus, PciHostStatus };

export interface PciView {
  /** 'absent': v5.0 distances; 'present': v5.4 map types and the whitelist. */
  readonly kernel: 'absent' | 'present';
  readonly hosts: readonly PciHostStatus[];
  readonly fns: readonly PciFnStatus[];
  /** pairs[provider id][client id], endpoints only. */
  readonly pairs: Readonly<Record<number, Readonly<Record<number, P2pPairStatus>>>>;
  /** The function the current stop's record names (provider, client or device), if any. */
  readonly current?: number;
}
