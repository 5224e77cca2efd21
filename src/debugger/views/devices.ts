/**
 * The devices panel's view: every DMA master with its kind, mask, DMA ops and translator,
 * and where its workload stands. Derived from the devices model's plain state.
 */
import type { Machine } from '../../sim/machine.ts';
import { type DeviceBase, DEVICES } from '../../sim/devices/device.ts';

export interface DeviceView {
  readonly name: string;
  readonly kind: string;
  /** pci_name() of its function ("0000:04:00.0") when the scenario places it on PCI. */
  readonly pci?: string;
  readonly dmaMaskBits: number;
  readonly dmaOps: string;
  readonly translator: string;
  /** One-line state: "round 2/4 op 1/2", "done". */
  readonly status: string;
  /** Pending work, oldest first (queue entries, in-flight requests). */
  readonly queue: readonly string[];
}

/** The workload cursor most device kinds keep (a kind without one shows no progress). */
interface WorkloadLike extends DeviceBase {
  round?: number;
  repeat?: number;
  pc?: number;
  ops?: { op: string }[];
}

export function devicesView(m: Machine): DeviceView[] {
  const list: readonly WorkloadLike[] = m.findModel(DEVICES)?.list ?? [];
  return list.map((d) => {
    const done = d.repeat !== undefined && d.round !== undefined && d.round >= d.repeat;
    const status = done
      ? 'done'
      : d.repeat !== undefined
        ? `round ${(d.round ?? 0) + 1}/${d.repeat} op ${(d.pc ?? 0) + 1}/${d.ops?.length ?? 0}`
        : '';
    const queue = !done && d.ops && d.pc !== undefined ? d.ops.slice(d.pc).map((o) => `${o.op}`) : [];
    return { name: d.name, ...(d.pciName !== undefined ? { pci: d.pciName } : {}), kind: d.kind, dmaMaskBits: d.dmaMaskBits, dmaOps: d.dmaOps, translator: d.translator, status, queue };
  });
}

