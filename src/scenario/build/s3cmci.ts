import { PAGE_SIZE } from '../../sim/mem/phys.ts';
import type { Bvec } from '../../sim/block/bvec-map-sg.ts';
import { type S3cmciState, s3cmciStart } from '../../sim/devices/s3cmci.ts';
import type { S3cmciIn } from '../schema/s3cmci.ts';
import type { BuildContext } from './context.ts';

/** bio_add_page for each page a piece touches: the bio's bvecs. */
function bvecsOf(ctx: BuildContext, bio: S3cmciIn['requests'][number]['bio']): Bvec[] {
  const out: Bvec[] = [];
  for (const p of bio) {
    let pa = ctx.buffers.get(p.buf)!.pa + p.offset;
    let left = p.len;
    while (left > 0) {
      const len = Math.min(left, PAGE_SIZE - (pa % PAGE_SIZE));
      out.push({ pa, len });
      pa += len;
      left -= len;
    }
  }
  return out;
}

/** An `s3cmci` device (called from buildDevices, in scenario order). */
export function buildS3cmci(ctx: BuildContext, d: S3cmciIn, index: number): S3cmciState {
  const dev: S3cmciState = {
    name: d.name,
    kind: 's3cmci',
    dmaMaskBits: d.dmaMask === 'none' ? 0 : d.dmaMask,
    dmaOps: 'dma-direct',
    translator: 'direct',
    maxSegmentSize: 0,
    requests: d.requests.map((r) => ({ op: r.op, sector: r.sector, bvecs: bvecsOf(ctx, r.bio) })),
    blockNs: d.block,
    gapNs: d.gap,
    queue: null,
    next: 0,
    pio: null,
    bounced: [],
    blocks: 0,
    card: new Map(),
    panicked: false,
  };
  s3cmciStart(ctx.m, index, d.start);
  return dev;
}
