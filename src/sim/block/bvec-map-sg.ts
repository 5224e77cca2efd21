/**
 * blk_rq_map_sg over a request made of single-page bio_vecs (block/blk-merge.c,
 * __blk_segment_map_sg in v5.0.1, blk_bvec_map_sg in v5.4.1; the same for bvecs that
 * never cross a page): a bvec joins the current segment when the segment stays within
 * max_segment_size, the two are physically contiguous and the segment does not cross the
 * seg_boundary_mask (biovec_phys_mergeable); otherwise it starts a new scatterlist entry.
 */
import { assert } from '../core/assert.ts';
import { PAGE_SIZE } from '../mem/phys.ts';
import type { QueueLimits } from './blk-map-sg.ts';

/** One bio_vec: `len` bytes at physical `pa`, inside one page. */
export interface Bvec {
  pa: number;
  len: number;
}

/** One scatterlist entry the host driver walks. */
export interface SgEntry {
  pa: number;
  length: number;
}

export function blkMapBvecs(limits: QueueLimits, bvecs: readonly Bvec[]): SgEntry[] {
  const out: SgEntry[] = [];
  const boundary = limits.segBoundaryMask + 1;
  for (const b of bvecs) {
    assert(b.len > 0 && (b.pa % PAGE_SIZE) + b.len <= PAGE_SIZE, 'a bvec lies inside one page');
    const last = out[out.length - 1];
    const merge =
      last !== undefined &&
      last.pa + last.length === b.pa &&
      last.length + b.len <= limits.maxSegmentSize &&
      Math.floor(last.pa / boundary) === Math.floor((b.pa + b.len - 1) / boundary);
    if (merge) last.length += b.len;
    else out.push({ pa: b.pa, length: b.len });
  }
  assert(out.length <= limits.maxSegments, 'more segments than max_segments: the block layer would have split the request');
  return out;
}
