/** The PCI panel's view, from the model's status. */
import type { Machine } from '../../sim/machine.ts';
import type { TraceRecord } from '../../sim/core/trace.ts';
import { fieldText } from '../../sim/trace/codec.ts';
import { p2pPairStatus, pciFnByName, pciStatus, type P2pPairStatus } from '../../sim/pci/status.ts';
import type { PciView } from './pci-model.ts';

export function pciView(m: Machine, stop: TraceRecord | undefined): PciView | undefined {
  const st = pciStatus(m);
  if (!st) return undefined;
  const eps = st.fns.filter((f) => f.type === 'endpoint').map((f) => f.id);
  const pairs: Record<number, Record<number, P2pPairStatus>> = {};
  for (const a of eps) {
    pairs[a] = {};
    for (const b of eps) pairs[a][b] = p2pPairStatus(m, a, b);
  }
  let current: number | undefined;
  for (const field of ['dev', 'client', 'provider']) {
    const v = stop && fieldText(stop, field);
    const id = v ? pciFnByName(m, v) : -1;
    if (id >= 0) {
      current = id;
      break;
    }
  }
  return { kernel: st.kernel, hosts: st.hosts, fns: st.fns, pairs, ...(current !== undefined ? { current } : {}) };
}
