/**
 * An SD card behind an s3cmci host doing PIO, fed by the block layer: mmc_setup_queue's
 * limits at probe, then per request blk_queue_bounce (highmem pages above the queue's
 * bounce_pfn swapped for pool pages), blk_rq_map_sg, s3cmci_prepare_pio, one FIFO
 * interrupt per 512-byte block (pio_tasklet -> do_pio_read / do_pio_write), and at the end
 * the bounce copy-back and completion. An oops in the tasklet panics: the host stops.
 */
import type { Machine } from '../machine.ts';
import { PRIO } from '../machine.ts';
import { kfunc } from '../core/kstack.ts';
import { eventKey } from '../core/keys.ts';
import { S3CMCI_HIGHMEM } from '../kernel.ts';
import { PAGE_SIZE, readBytes, writeBytes } from '../mem/phys.ts';
import { physAlloc, physFree } from '../mem/alloc.ts';
import type { QueueLimits } from '../block/blk-map-sg.ts';
import { type BounceLimits, type PfnLimits, blkQueueBounceSkips, pageNeedsBounce } from '../block/bounce.ts';
import { type Bvec, type SgEntry, blkMapBvecs } from '../block/bvec-map-sg.ts';
import { kmemState, pageHighMem } from '../kmem/state.ts';
import { kmapAtomic, kunmapAtomic } from '../kmem/highmem.ts';
import { mmcSetupQueue } from '../mmc/queue.ts';
import { type PioState, S3CMCI_MAX_REQ_SIZE, S3CMCI_MAX_SEGS, doPio, pioStart } from '../mmc/s3cmci.ts';
import { type DeviceBase, DEVICES, dmaMaskOf } from './device.ts';

export const SECTOR_SIZE = 512;

export interface S3cmciRequest {
  op: 'read' | 'write';
  sector: number;
  /** The bio's pages, one bvec per page piece. */
  bvecs: Bvec[];
}

/** A page __blk_queue_bounce swapped in for a highmem bvec. */
interface Bounced {
  orig: number;
  bounce: number;
  len: number;
}

export interface S3cmciState extends DeviceBase {
  kind: 's3cmci';
  requests: S3cmciRequest[];
  /** Time between FIFO interrupts (one block), and between a completion and the next request. */
  blockNs: number;
  gapNs: number;
  queue: { bounce: BounceLimits; limits: QueueLimits } | null;
  next: number;
  pio: PioState | null;
  bounced: Bounced[];
  blocks: number;
  /** Sectors the card holds (written ones; the rest read as a pattern). */
  card: Map<number, Uint8Array>;
  panicked: boolean;
}

const EV = { probe: eventKey('s3cmci.probe'), submit: eventKey('s3cmci.submit'), fifo: eventKey('s3cmci.fifo') };

const F_MMC_SETUP_QUEUE = kfunc('mmc_setup_queue', 'drivers/mmc/core/queue.c');
const F_BLK_QUEUE_BOUNCE = kfunc('blk_queue_bounce', 'block/bounce.c');
const F_BLK_RQ_MAP_SG = kfunc('blk_rq_map_sg', 'block/blk-merge.c');
const F_PIO_TASKLET = kfunc('pio_tasklet', 'drivers/mmc/host/s3cmci.c');
const F_BOUNCE_END_IO_READ = kfunc('bounce_end_io_read', 'block/bounce.c');

export function s3cmciRegister(m: Machine): void {
  m.on(EV.probe, probe);
  m.on(EV.submit, submit);
  m.on(EV.fifo, fifoIrq);
}

export function s3cmciStart(m: Machine, index: number, startNs: number): void {
  m.schedule(startNs, m.typeOf(EV.probe), index, 0, PRIO.kernel);
}

const devOf = (m: Machine, index: number): S3cmciState => m.model(DEVICES).list[index] as S3cmciState;

function pfnLimits(m: Machine): PfnLimits {
  const { layout } = kmemState(m);
  return { maxLowPfn: layout.lowmemLimit / PAGE_SIZE, maxPfn: layout.dramEnd / PAGE_SIZE };
}

/** s3cmci_probe's host limits (the patch caps max_seg_size at one page), then mmc_setup_queue. */
function probe(m: Machine, index: number): void {
  const dev = devOf(m, index);
  const patched = m.behaviour(S3CMCI_HIGHMEM) === 'kmap_atomic';
  const k = m.kstack.enter(F_MMC_SETUP_QUEUE);
  const host = { dmaMask: dev.dmaMaskBits ? dmaMaskOf(dev) : 0, maxSegSize: patched ? PAGE_SIZE : S3CMCI_MAX_REQ_SIZE, maxSegs: S3CMCI_MAX_SEGS };
  dev.queue = mmcSetupQueue(m, dev.name, host, pfnLimits(m));
  m.kstack.leave(k);
  m.schedule(0, m.typeOf(EV.submit), index, 0, PRIO.kernel);
}

/** What the card sends for a sector it never stored. */
function cardSector(dev: S3cmciState, sector: number): Uint8Array {
  const stored = dev.card.get(sector);
  if (stored) return stored;
  const d = new Uint8Array(SECTOR_SIZE);
  for (let i = 0; i < SECTOR_SIZE; i++) d[i] = (sector * 13 + i) & 0xff;
  return d;
}

/** memcpy between two kernel addresses of whole pages' worth (both already mapped). */
function copyPage(m: Machine, from: number, to: number, len: number): void {
  writeBytes(m.state.mem, to, readBytes(m.state.mem, from, len));
}

/**
 * __blk_queue_bounce: each bvec page above bounce_pfn gets a pool page (for a write the
 * data is copied in through kmap_atomic of the original). undefined when the pool has no
 * page to give: mempool_alloc(GFP_NOIO) would wait for ever.
 */
function blkQueueBounce(m: Machine, dev: S3cmciState, rq: S3cmciRequest): Bvec[] | undefined {
  const { bounce } = dev.queue!;
  const pfn = pfnLimits(m);
  if (blkQueueBounceSkips(bounce, pfn)) return rq.bvecs;
  const k = m.kstack.enter(F_BLK_QUEUE_BOUNCE);
  const limit = bounce.gfpDma ? (bounce.bouncePfn + 1) * PAGE_SIZE : kmemState(m).layout.lowmemLimit;
  const out: Bvec[] = [];
  for (const b of rq.bvecs) {
    if (!pageNeedsBounce(bounce, Math.floor(b.pa / PAGE_SIZE))) {
      out.push(b);
      continue;
    }
    const off = b.pa % PAGE_SIZE;
    const page = physAlloc(m.state.alloc, PAGE_SIZE, { limit });
    if (page < 0) {
      m.kstack.leave(k);
      return undefined;
    }
    const to = { pa: page + off, len: b.len };
    if (rq.op === 'write') {
      const va = kmapAtomic(m, b.pa - off);
      copyPage(m, b.pa, to.pa, b.len);
      kunmapAtomic(m, va);
    }
    dev.bounced.push({ orig: b.pa, bounce: to.pa, len: b.len });
    m.emit('blk-bounce', { dev: dev.name, req: dev.next, op: 'bounce', orig: b.pa, bounce: to.pa, len: b.len });
    out.push(to);
  }
  m.kstack.leave(k);
  return out;
}

function submit(m: Machine, index: number): void {
  const dev = devOf(m, index);
  const rq = dev.requests[dev.next];
  const bvecs = blkQueueBounce(m, dev, rq);
  const bytes = rq.bvecs.reduce((n, b) => n + b.len, 0);
  if (!bvecs) {
    const status = `mempool_alloc(GFP_NOIO) waits: no page below the bounce limit ${dev.queue!.bounce.gfpDma ? '(isa_page_pool, GFP_DMA)' : '(page_pool)'}`;
    m.emit('blk-req', { dev: dev.name, req: dev.next, phase: 'stalled', op: rq.op, sector: rq.sector, bytes, segments: 0, status });
    return;
  }
  const k = m.kstack.enter(F_BLK_RQ_MAP_SG);
  const sg: SgEntry[] = blkMapBvecs(dev.queue!.limits, bvecs);
  const st = kmemState(m);
  sg.forEach((e, i) => {
    const highmem = pageHighMem(st, Math.floor(e.pa / PAGE_SIZE));
    m.emit('mmc-sg', { dev: dev.name, req: dev.next, index: i, pa: e.pa, len: e.length, highmem });
  });
  m.kstack.leave(k);
  m.emit('blk-req', { dev: dev.name, req: dev.next, phase: 'submit', op: rq.op, sector: rq.sector, bytes, segments: sg.length });
  // s3cmci_prepare_pio: pio_sgptr = 0, pio_bytes = 0; the FIFO interrupts do the rest.
  dev.pio = pioStart(m.behaviour(S3CMCI_HIGHMEM), sg);
  dev.blocks = 0;
  m.schedule(dev.blockNs, m.typeOf(EV.fifo), index, 0, PRIO.irq);
}

function fifoIrq(m: Machine, index: number): void {
  const dev = devOf(m, index);
  const rq = dev.requests[dev.next];
  const sector = rq.sector + dev.blocks;
  const data = rq.op === 'read' ? cardSector(dev, sector) : new Uint8Array(SECTOR_SIZE);
  const k = m.kstack.enter(F_PIO_TASKLET);
  const ok = doPio(m, dev.pio!, { dev: dev.name, req: dev.next, dir: rq.op, data });
  m.kstack.leave(k);
  if (!ok) {
    dev.panicked = true; // panic("Fatal exception in interrupt"): nothing runs on
    return;
  }
  if (rq.op === 'write') dev.card.set(sector, data);
  dev.blocks++;
  const total = rq.bvecs.reduce((n, b) => n + b.len, 0) / SECTOR_SIZE;
  if (dev.blocks < total) m.schedule(dev.blockNs, m.typeOf(EV.fifo), index, 0, PRIO.irq);
  else complete(m, index, dev, rq);
}

/** bounce_end_io_read -> copy_to_high_bio_irq: kmap_atomic the original page, copy from the pool page. */
function bounceEnd(m: Machine, dev: S3cmciState, rq: S3cmciRequest): void {
  if (!dev.bounced.length) return;
  const k = m.kstack.enter(F_BOUNCE_END_IO_READ);
  for (const b of dev.bounced) {
    if (rq.op === 'read') {
      // bounce_copy_vec: vto = kmap_atomic(to page); memcpy from page_address(pool page) + offset.
      const vto = kmapAtomic(m, b.orig - (b.orig % PAGE_SIZE));
      copyPage(m, b.bounce, b.orig, b.len);
      m.emit('blk-bounce', { dev: dev.name, req: dev.next, op: 'copy-back', orig: b.orig, bounce: b.bounce, len: b.len });
      kunmapAtomic(m, vto);
    }
    physFree(m.state.alloc, b.bounce - (b.bounce % PAGE_SIZE), PAGE_SIZE); // mempool_free
    m.emit('blk-bounce', { dev: dev.name, req: dev.next, op: 'free', orig: b.orig, bounce: b.bounce, len: b.len });
  }
  dev.bounced = [];
  m.kstack.leave(k);
}

function fnvOf(m: Machine, bvecs: readonly Bvec[]): number {
  let h = 0x811c9dc5;
  for (const b of bvecs) {
    const bytes = readBytes(m.state.mem, b.pa, b.len);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  }
  return h;
}

function complete(m: Machine, index: number, dev: S3cmciState, rq: S3cmciRequest): void {
  bounceEnd(m, dev, rq);
  const bytes = rq.bvecs.reduce((n, b) => n + b.len, 0);
  m.emit('blk-req', {
    dev: dev.name, req: dev.next, phase: 'complete', op: rq.op, sector: rq.sector, bytes,
    segments: dev.pio!.sg.length, status: 'BLK_STS_OK', sum: fnvOf(m, rq.bvecs),
  });
  dev.pio = null;
  dev.next++;
  if (dev.next < dev.requests.length) m.schedule(dev.gapNs, m.typeOf(EV.submit), index, 0, PRIO.kernel);
  else m.emit('dev-done', { dev: dev.name, rounds: dev.next });
}
