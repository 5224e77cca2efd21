/**
 * blk_rq_map_sg (block/blk-merge.c: __blk_segment_map_sg, v5.0; blk_bvec_map_sg, v5.4)
 * for a request whose bio holds one physically contiguous buffer: one bvec per 4 KiB
 * page, and a page joins the current scatterlist entry while the entry stays within the
 * queue's max_segment_size and biovec_phys_mergeable holds (contiguous, and not crossing
 * the segment boundary, BLK_SEG_BOUNDARY_MASK = 0xFFFFFFFF by default). The kernel tests
 * the boundary pairwise (previous bvec to this one); by induction that equals testing
 * from the entry's start, as here.
 */
import { assert } from '../core/assert.ts';
import { PAGE_SIZE } from '../mem/phys.ts';
import type { Scatterlist } from '../dma/api.ts';

export const BLK_SEG_BOUNDARY_MASK = 0xffff_ffff;
/** blk_queue_max_segment_size(q, -1U): "unlimited" in v5.0's virtio-blk. */
export const BLK_MAX_SEGMENT_UNLIMITED = 0xffff_ffff;

export interface QueueLimits {
  maxSegmentSize: number;
  maxSegments: number;
  segBoundaryMask: number;
}

/** biovec_phys_mergeable + the size and boundary tests of blk_bvec_map_sg. */
export function blkRqMapSg(limits: QueueLimits, pa: number, bytes: number): Scatterlist[] {
  assert(bytes > 0, 'empty request');
  const sgl: Scatterlist[] = [];
  const boundary = limits.segBoundaryMask + 1;
  let done = 0;
  while (done < bytes) {
    const cur = pa + done;
    const len = Math.min(bytes - done, PAGE_SIZE - (cur % PAGE_SIZE));
    const last = sgl[sgl.length - 1];
    const mergeable =
      last !== undefined &&
      last.pa + last.length === cur &&
      last.length + len <= limits.maxSegmentSize &&
      Math.floor(last.pa / boundary) === Math.floor((cur + len - 1) / boundary);
    if (mergeable) last.length += len;
    else sgl.push({ pa: cur, length: len, dmaAddress: 0, dmaLength: 0 });
    done += len;
  }
  return sgl;
}
