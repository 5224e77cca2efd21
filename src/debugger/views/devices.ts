/**
 * The devices panel's view: every DMA master with its kind, mask, DMA ops and translator,
 * and where its workload stands. Derived from the devices model's plain state.
 */
import type { Machine } from '../../sim/machine.ts';
import { deviceBdf } from '../../sim/devices/identity.ts';
import { type DeviceBase, DEVICES } from '../../sim/devices/device.ts';

export interface DeviceView {
  readonly name: string;
  readonly kind: string;
  readonly dmaMaskBits: number;
  readonly dmaOps: string;
  readonly translator: string;
  /** pci_name() when the device is a PCI function ("0000:00:02.0"). */
  readonly bdf?: string;
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
    const bdf = deviceBdf(m, d.name)?.bdf;
    return { name: d.name, kind: d.kind, dmaMaskBits: d.dmaMaskBits, dmaOps: d.dmaOps, translator: d.translator, ...(bdf ? { bdf } : {}), status, queue };
  });
}

