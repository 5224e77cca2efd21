/** The PASID panel's view: the spaces' status and the last passed-down invalidation, from the trace. */
import type { Machine } from '../../sim/machine.ts';
import { IOASID_MODEL } from '../../sim/iommu/ioasid.ts';
import { INTEL_PASID_IDR } from '../../sim/iommu/intel/pasid-idr.ts';
import { pasidSpacesStatus } from '../../sim/iommu/ioasid-status.ts';
import type { TraceRecord } from '../../sim/core/trace.ts';
import { hex } from '../../sim/core/hex.ts';
import type { InvalidationPathView, PasidView } from './pasid-model.ts';

/** How far back the panel looks for the last cache-invalidate record. */
const LOOKBACK = 512;

function invalidationPath(recent: readonly TraceRecord[]): InvalidationPathView | undefined {
  const i = recent.map((r) => r.kind).lastIndexOf('cache-invalidate');
  if (i < 0) return undefined;
  const r = recent[i];
  if (r.kind !== 'cache-invalidate') return undefined;
  const addr = r.addr !== undefined ? [`addr ${hex(r.addr)} ${r.nbGranules} x ${r.granuleSize} (order ${r.order})`] : [];
  const steps: { text: string; bad: boolean }[] = [];
  for (const x of recent.slice(i + 1)) {
    if (x.kind === 'klog') steps.push({ text: `klog ${x.level}: ${x.text}`, bad: x.level === 'err' });
    else if (x.kind === 'uapi-reject') steps.push({ text: `${x.result < 0 ? 'refused' : 'skipped'} by ${x.check}: ${x.why}`, bad: true });
    else if (x.kind === 'nested-desc') {
      const range = x.start !== undefined && x.end !== undefined ? ` ${hex(x.start)}-${hex(x.end)}` : ' whole PASID';
      steps.push({ text: `${x.fn}${range}: dropped ${x.dropped}`, bad: false });
    } else if (x.kind === 'qi') steps.push({ text: `${x.iommu} qi slot ${x.slot} ${x.type} + wait, IQT ${hex(x.iqt)}`, bad: false });
    else if (x.kind !== 'iotlb-inval') break; // the unit's IOTLB drop is the nested-desc's count

  }
  return {
    seq: r.seq,
    request: [`#${r.seq} ${r.guest}/${r.dev} (${r.kernelGen} UAPI)`, `${r.cache} x ${r.granularity}, pasid ${r.pasid} [${r.flags}]`, ...addr],
    result: r.result,
    steps,
  };
}

export function pasidView(m: Machine, records: (from: number, count: number) => readonly TraceRecord[]): PasidView | undefined {
  if (!m.hasModel(IOASID_MODEL) && !m.hasModel(INTEL_PASID_IDR)) return undefined;
  const n = m.state.traceCount;
  const from = Math.max(0, n - LOOKBACK);
  const last = invalidationPath(records(from, n - from));
  return { spaces: pasidSpacesStatus(m), ...(last ? { lastInvalidation: last } : {}) };
}
