/**
 * Where a trace record goes on a timeline: a group (shown as a process in Perfetto: the
 * devices, the IOMMUs, the SMI, the SWIOTLB pool, each process's mm, the kernel) and a
 * track in it. Kinds that exist today are placed by name; a kind this table does not know
 * (a model added later) is placed by its fields, in the order `dev`, `iommu`, `mm`,
 * `domain`, `block`, so it shows up without a change here.
 */
import type { TraceRecord } from '../../sim/core/trace.ts';

export const GROUPS = ['devices', 'IOMMUs', 'SMI', 'SWIOTLB', 'processes', 'kernel'] as const;
export type Group = (typeof GROUPS)[number];

export interface Place {
  readonly group: Group;
  readonly track: string;
}

type Fields = Readonly<Record<string, unknown>>;
const f = (r: TraceRecord): Fields => r as unknown as Fields;
const s = (v: unknown): string => String(v);

const device = (r: TraceRecord): Place => ({ group: 'devices', track: s(f(r).dev) });
const iommu = (r: TraceRecord): Place => ({ group: 'IOMMUs', track: s(f(r).iommu) });
const domain = (r: TraceRecord): Place => ({ group: 'IOMMUs', track: `domain ${s(f(r).domain)}` });
const mm = (r: TraceRecord): Place => ({ group: 'processes', track: `mm ${s(f(r).mm)}` });
const kernel = (track: string) => (): Place => ({ group: 'kernel', track });
/** A register block: the M4U's own ("m4u0") beside its IOMMU track, a larb's on the SMI. */
const block = (name: string): Place => (/^m4u\d+$/.test(name) ? { group: 'IOMMUs', track: name } : { group: 'SMI', track: name });

/** Kinds placed by name (the rest go by their fields). */
const BY_KIND: Readonly<Record<string, (r: TraceRecord) => Place>> = {
  map: (r) => (f(r).dev !== undefined ? device(r) : domain(r)),
  unmap: (r) => (f(r).dev !== undefined ? device(r) : domain(r)),
  'stale-tlb': iommu,
  fault: iommu,
  attach: iommu,
  'tlb-inval': iommu,
  domain,
  'atc-inval': (r) => (f(r).iommu !== undefined ? iommu(r) : device(r)),
  'page-request': (r) => (f(r).iommu !== undefined ? iommu(r) : device(r)),
  reg: (r) => block(s(f(r).block)),
  'bus-sel': () => ({ group: 'SMI', track: 'common' }),
  'larb-power': (r) => block(s(f(r).block)),
  'swiotlb-map': () => ({ group: 'SWIOTLB', track: 'swiotlb' }),
  'swiotlb-unmap': () => ({ group: 'SWIOTLB', track: 'swiotlb' }),
  'swiotlb-sync': () => ({ group: 'SWIOTLB', track: 'swiotlb' }),
  'swiotlb-full': () => ({ group: 'SWIOTLB', track: 'swiotlb' }),
  pasid: (r) => (f(r).mm !== undefined ? mm(r) : kernel('pasid')()),
  'page-free': kernel('page allocator'),
  klog: kernel('kernel log'),
  selftest: kernel('selftest'),
};

/** The track a record is drawn on. */
export function placeRecord(r: TraceRecord): Place {
  const byKind = BY_KIND[r.kind];
  if (byKind) return byKind(r);
  const x = f(r);
  if (x.dev !== undefined) return device(r);
  if (x.iommu !== undefined) return iommu(r);
  if (x.mm !== undefined) return mm(r);
  if (x.domain !== undefined) return domain(r);
  if (x.block !== undefined) return block(s(x.block));
  return { group: 'kernel', track: r.kind };
}
