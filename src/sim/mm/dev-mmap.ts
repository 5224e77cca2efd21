/**
 * mmap() of a device file (mm/mmap.c mmap_region, v5.0.1 = v5.4.1): the VMA is created
 * (MAP_FIXED: what it overlaps is unmapped first), the driver's ->mmap runs, and on an
 * error unmap_and_free_vma undoes whatever the driver had mapped before the VMA goes.
 * The VMA has no ->fault: a page the driver did not insert is SIGBUS (fault.ts).
 */
import type { Machine } from '../machine.ts';
import { kfunc } from '../core/kstack.ts';
import type { MmStruct, Vma } from './types.ts';
import { doMunmap } from './ops.ts';
import { unmapRegion } from './zap.ts';
import { detachVmas, insertVma, rangeFree } from './vma.ts';
import { errnoText } from './vm-insert.ts';
import { type MmapVia, driverMmap } from '../iommu/dma-iommu-mmap.ts';
import { dmaBuf } from '../iommu/dma-iommu-alloc.ts';

export interface DevMmapArgs {
  dev: string;
  buffer: string;
  start: number;
  size: number;
  pgoff: number;
  write: boolean;
  shared: boolean;
  via: MmapVia;
}

const F_MMAP_REGION = kfunc('mmap_region', 'mm/mmap.c', ['addr', 'len', 'pgoff']);

export function devMmap(m: Machine, mm: MmStruct, a: DevMmapArgs): void {
  const end = a.start + a.size;
  m.emit('mm', { op: 'mmap', mm: mm.name, start: a.start, end, prot: a.write ? 'rw' : 'r', vma: 'driver', shared: a.shared });
  const k = m.kstack.enter(F_MMAP_REGION, a.start, a.size, a.pgoff);
  if (!rangeFree(mm, a.start, end)) doMunmap(m, mm, a.start, end);
  const head = { mm: mm.name, dev: a.dev, buffer: a.buffer, start: a.start, end, pgoff: a.pgoff, via: a.via };
  const buf = dmaBuf(m, a.dev, a.buffer);
  if (!buf) {
    m.emit('dev-mmap', { ...head, pages: 0, func: 'mmap_region', result: '-ENODEV', inserted: 0, reason: `${a.dev} has not allocated "${a.buffer}" (yet)` });
    m.kstack.leave(k);
    return;
  }
  const vma: Vma = {
    start: a.start, end, read: true, write: a.write, shared: a.shared, kind: 'driver', file: a.dev, pgoff: a.pgoff, anonVma: false,
  };
  insertVma(mm, vma);
  const r = driverMmap(m, mm, vma, buf.pages, a.via);
  m.emit('dev-mmap', { ...head, pages: buf.pages.length, func: r.func, result: errnoText(r.ret), inserted: r.inserted, reason: r.reason });
  if (r.ret) {
    // unmap_and_free_vma: "Undo any partial mapping done by a device driver."
    unmapRegion(m, mm, a.start, end);
    detachVmas(mm, a.start, end);
  }
  m.kstack.leave(k);
}
