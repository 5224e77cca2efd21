/** Trace kinds of the DMA API, SWIOTLB and the block devices on top (spread into TRACE_KINDS). */
import type { TraceKindDoc } from '../trace-kinds.ts';

export const DMA_KINDS: readonly TraceKindDoc[] = [
  {
    kind: 'sync',
    summary: 'A driver called dma_sync_single_for_cpu / _for_device (ownership moves to the CPU / the device).',
    fields: { api: 'kernel function', dev: 'device name', iova: 'dma address', size: 'bytes', dir: 'direction of the mapping' },
  },
  {
    kind: 'swiotlb-map',
    summary: 'swiotlb_tbl_map_single claimed bounce slots for a buffer the device cannot (or may not) reach.',
    fields: {
      dev: 'device name',
      orig: 'physical address of the original buffer',
      tlb: 'physical (= dma) address of the bounce buffer',
      slot: 'first slot (index into io_tlb_list)',
      nslots: 'slots claimed: ALIGN(size, 2K) / 2K',
      size: 'bytes mapped',
      dir: 'direction of the mapping',
      copied: 'bytes bounced orig -> tlb now (TO_DEVICE/BIDIRECTIONAL without SKIP_CPU_SYNC), else 0',
    },
  },
  {
    kind: 'swiotlb-unmap',
    summary: 'swiotlb_tbl_unmap_single freed bounce slots (after copying back when the direction says so).',
    fields: {
      dev: 'device name',
      orig: 'original buffer of the first slot (null if the slot had none)',
      tlb: 'bounce address',
      slot: 'first slot',
      nslots: 'slots freed',
      size: 'bytes',
      dir: 'direction of the mapping',
      copied: 'bytes bounced tlb -> orig now (FROM_DEVICE/BIDIRECTIONAL without SKIP_CPU_SYNC), else 0',
    },
  },
  {
    kind: 'swiotlb-sync',
    summary: 'swiotlb_tbl_sync_single: a sync of a bounced mapping (from dma_sync_* or inside dma_direct_unmap_page).',
    fields: {
      dev: 'device name',
      orig: 'original address synced: the slot\'s orig plus tlb\'s offset inside the 2 KiB slot',
      tlb: 'bounce address synced',
      slot: 'slot of tlb',
      size: 'bytes',
      dir: 'direction of the mapping',
      target: '"cpu" (SYNC_FOR_CPU) or "device" (SYNC_FOR_DEVICE)',
      copied: 'bytes bounced (cpu: tlb -> orig, device: orig -> tlb); 0 when the direction needs no copy for this target',
    },
  },
  {
    kind: 'swiotlb-full',
    summary: '"swiotlb buffer is full": no run of nslots free slots fits; the mapping fails.',
    fields: {
      dev: 'device name',
      size: 'bytes asked for',
      nslots: 'slots needed (more than 128 can never fit: runs end at segment boundaries)',
      largest: 'longest free run in slots',
      largestBytes: 'longest free run in bytes',
      free: 'free slots in total',
      cursor: 'io_tlb_index, where the search started',
    },
  },
  {
    kind: 'cpu-read',
    summary: 'A driver read its buffer with the CPU: what software sees at that moment.',
    fields: { dev: 'device whose driver reads', buf: 'buffer name', pa: 'physical address', len: 'bytes', sum: 'FNV-1a of the bytes', first: 'first byte value', at: 'why now (e.g. "before sync_for_cpu")' },
  },
  {
    kind: 'cpu-write',
    summary: 'A driver filled its buffer with the CPU.',
    fields: { dev: 'device whose driver writes', buf: 'buffer name', pa: 'physical address', len: 'bytes', pattern: 'byte value written', sum: 'FNV-1a of the buffer range afterwards' },
  },
  {
    kind: 'dev-access',
    summary: 'A device read or wrote through one of its mappings, with a checksum of the bytes it moved.',
    fields: { dev: 'device name', handle: 'mapping handle', op: '"read" or "write"', iova: 'dma address', len: 'bytes', sum: 'FNV-1a of the bytes the device read or wrote' },
  },
  {
    kind: 'blk-queue',
    summary: 'virtblk_probe set the request queue limits.',
    fields: {
      dev: 'device name',
      maxSegmentSize: 'blk_queue_max_segment_size in bytes (4294967295 = -1U, unlimited)',
      maxSegments: 'blk_queue_max_segments (seg_max)',
      maxMappingSize: 'virtio_max_dma_size in bytes (null = SIZE_MAX, or not consulted in v5.0)',
      why: 'which rule set the segment size',
    },
  },
  {
    kind: 'blk-req',
    summary: 'A block request: "submit" when virtio_queue_rq takes it, "complete" when blk_mq_end_request ends it, "stalled" when it waits on a hardware queue that a failed dispatch stopped (blk_mq_stop_hw_queue) and nothing in flight will restart.',
    fields: {
      dev: 'device name',
      req: 'request number',
      phase: '"submit", "complete" or "stalled"',
      op: '"read" or "write"',
      sector: '512-byte sector',
      bytes: 'request size',
      segments: 'scatterlist entries from blk_rq_map_sg',
      status: 'BLK_STS_OK or BLK_STS_IOERR (complete); why it waits (stalled)',
      sum: 'FNV-1a of the buffer after completion (complete)',
    },
  },
  {
    kind: 'io-error',
    summary: 'A block request failed: blk_update_request prints "I/O error, dev ..., sector ...".',
    fields: { dev: 'device name', req: 'request number', sector: 'first sector', bytes: 'request size', status: 'BLK_STS_IOERR', reason: 'what failed underneath' },
  },
];
