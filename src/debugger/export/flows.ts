/**
 * Flows (arrows between events in Perfetto), global ids, one per chain:
 *
 * - a mapping's life: dma_map_* -> every record of that device whose address falls in the
 *   mapping (its accesses, syncs, checker findings) -> dma_unmap_* (which terminates it);
 * - a fault: the faulting access -> the device's next fault report (mtk's ISR, an AMD PPR
 *   or PRI page request: any kind marked as a report) -> the kernel log lines printed at
 *   the same time; where the report comes first (a page request serviced, and failed,
 *   before the access completes as a fault at the same time), report -> access;
 * - an mmu notifier call -> the ATC invalidations it caused (same virtual time) -> the
 *   device's next page request (which terminates it).
 */
import type { TraceRecord } from '../../sim/core/trace.ts';

export interface FlowLink {
  readonly flowIds: bigint[];
  readonly terminatingFlowIds: bigint[];
}

interface Mapping {
  readonly iova: number;
  readonly size: number;
  readonly flow: bigint;
}

const fieldsOf = (r: TraceRecord) => r as unknown as Readonly<Record<string, unknown>>;

/** The bus address a record of a device names (`addr` of an access, `iova` elsewhere). */
function addressOf(r: TraceRecord): number | undefined {
  const x = fieldsOf(r);
  const a = x.addr ?? x.iova;
  return typeof a === 'number' ? a : undefined;
}

export class Flows {
  /** Flows that link two events or more. */
  count = 0;
  private next = 1n;
  private readonly uses = new Map<bigint, number>();
  private readonly mappings = new Map<string, Mapping[]>();
  private readonly pendingFault = new Map<string, bigint>();
  private lastReport: { t: number; flow: bigint } | undefined;
  /** A report with no fault before it, waiting for the device's faulting access at the same time. */
  private readonly earlyReport = new Map<string, { t: number; flow: bigint }>();
  private lastNotifier: { t: number; flow: bigint } | undefined;
  private readonly afterAtc = new Map<string, bigint>();

  private fresh(): bigint {
    return this.next++;
  }

  private use(id: bigint, into: bigint[]): void {
    const n = (this.uses.get(id) ?? 0) + 1;
    this.uses.set(id, n);
    if (n === 2) this.count++;
    into.push(id);
  }

  of(r: TraceRecord, isReport: boolean): FlowLink {
    const flowIds: bigint[] = [];
    const terminatingFlowIds: bigint[] = [];
    const dev = fieldsOf(r).dev;
    const devName = typeof dev === 'string' ? dev : undefined;

    if (r.kind === 'map') {
      if (devName !== undefined && r.result === 'ok' && r.iova !== undefined) {
        const flow = this.fresh();
        const list = this.mappings.get(devName) ?? [];
        list.push({ iova: r.iova, size: r.size, flow });
        this.mappings.set(devName, list);
        this.use(flow, flowIds);
      }
    } else if (r.kind === 'unmap') {
      const list = devName !== undefined ? this.mappings.get(devName) : undefined;
      const i = list ? list.findIndex((m) => m.iova === r.iova) : -1;
      if (list && i >= 0) {
        this.use(list[i].flow, terminatingFlowIds);
        list.splice(i, 1);
      }
    } else if (devName !== undefined) {
      const a = addressOf(r);
      const m = a !== undefined ? this.mappings.get(devName)?.find((x) => a >= x.iova && a < x.iova + x.size) : undefined;
      if (m) this.use(m.flow, flowIds);
    }

    if (r.kind === 'dma' && r.result === 'fault') {
      const early = this.earlyReport.get(r.dev);
      if (early?.t === r.t) {
        // The report came first (a page request answered before the access completes).
        this.earlyReport.delete(r.dev);
        this.use(early.flow, flowIds);
      } else if (!this.pendingFault.has(r.dev)) {
        const flow = this.fresh();
        this.pendingFault.set(r.dev, flow);
        this.use(flow, flowIds);
      }
    }
    if (isReport && devName !== undefined) {
      let flow = this.pendingFault.get(devName);
      if (flow !== undefined) this.pendingFault.delete(devName);
      else this.earlyReport.set(devName, { t: r.t, flow: (flow = this.fresh()) });
      this.use(flow, flowIds);
      this.lastReport = { t: r.t, flow };
    }
    if (r.kind === 'klog' && this.lastReport?.t === r.t) this.use(this.lastReport.flow, flowIds);

    if (r.kind === 'notifier') {
      const flow = this.fresh();
      this.lastNotifier = { t: r.t, flow };
      this.use(flow, flowIds);
    } else if (r.kind === 'atc-inval' && this.lastNotifier?.t === r.t) {
      this.use(this.lastNotifier.flow, flowIds);
      this.afterAtc.set(r.dev, this.lastNotifier.flow);
    } else if (r.kind === 'page-request') {
      const flow = this.afterAtc.get(r.dev);
      if (flow !== undefined) {
        this.afterAtc.delete(r.dev);
        this.use(flow, terminatingFlowIds);
      }
    }
    return { flowIds, terminatingFlowIds };
  }
}
