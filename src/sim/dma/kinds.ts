/** Trace kinds of the DMA API, SWIOTLB and the block devices on top (collected in src/sim/trace-kinds.ts). */
import { fnv32, hex, int, oneOf, str } from '../trace/field.ts';
import { kind } from '../trace/spec.ts';

/** enum dma_data_direction as the trace spells it (DMA_NONE is never mapped). */
export const DMA_DIRECTIONS = ['to-device', 'from-device', 'bidirectional'] as const;

const dir = () => oneOf(DMA_DIRECTIONS, 'direction of the mapping');

/** What dma-debug found (kernel/dma/debug.c check_unmap / check_sync; access-after-unmap is dmadbg's own). */
export const DMA_DEBUG_CHECKS = ['unmap-not-mapped', 'unmap-size', 'unmap-dir', 'sync-not-mapped', 'sync-range', 'sync-dir', 'access-after-unmap'] as const;

export const DMA_KINDS = [
  kind('dma-debug', "CONFIG_DMA_API_DEBUG's finding: a DMA API call (or a device access) that does not match the device's live mappings; text is dma-debug's message.", {
    dev: str('device name'),
    check: oneOf(DMA_DEBUG_CHECKS, 'which check failed'),
    iova: hex('dma address the call (or access) used'),
    size: int('bytes the call (or access) used'),
    text: str('the message as dma-debug prints it ("DMA-API: <driver> <device>: ..."); access-after-unmap is not a kernel check and says so'),
  }),
  kind('sync', 'A driver called dma_sync_single_for_cpu / _for_device (ownership moves to the CPU / the device).', {
    api: str('kernel function'),
    dev: str('device name'),
    iova: hex('dma address'),
    size: int('bytes'),
    dir: dir(),
  }),
  kind('swiotlb-map', 'swiotlb_tbl_map_single claimed bounce slots for a buffer the device cannot (or may not) reach.', {
    dev: str('device name'),
    orig: hex('physical address of the original buffer'),
    tlb: hex('physical (= dma) address of the bounce buffer'),
    slot: int('first slot (index into io_tlb_list)'),
    nslots: int('slots claimed: ALIGN(size, 2K) / 2K'),
    size: int('bytes mapped'),
    dir: dir(),
    copied: int('bytes bounced orig -> tlb now (TO_DEVICE/BIDIRECTIONAL without SKIP_CPU_SYNC), else 0'),
  }),
  kind('swiotlb-unmap', 'swiotlb_tbl_unmap_single freed bounce slots (after copying back when the direction says so).', {
    dev: str('device name'),
    orig: hex('original buffer of the first slot (null if the slot had none)').orNull(),
    tlb: hex('bounce address'),
    slot: int('first slot'),
    nslots: int('slots freed'),
    size: int('bytes'),
    dir: dir(),
    copied: int('bytes bounced tlb -> orig now (FROM_DEVICE/BIDIRECTIONAL without SKIP_CPU_SYNC), else 0'),
  }),
  kind('swiotlb-sync', 'swiotlb_tbl_sync_single: a sync of a bounced mapping (from dma_sync_* or inside dma_direct_unmap_page).', {
    dev: str('device name'),
    orig: hex("original address synced: the slot's orig plus tlb's offset inside the 2 KiB slot"),
    tlb: hex('bounce address synced'),
    slot: int('slot of tlb'),
    size: int('bytes'),
    dir: dir(),
    target: oneOf(['cpu', 'device'], '"cpu" (SYNC_FOR_CPU) or "device" (SYNC_FOR_DEVICE)'),
    copied: int('bytes bounced (cpu: tlb -> orig, device: orig -> tlb); 0 when the direction needs no copy for this target'),
  }),
  kind('swiotlb-full', '"swiotlb buffer is full": no run of nslots free slots fits; the mapping fails.', {
    dev: str('device name'),
    size: int('bytes asked for'),
    nslots: int('slots needed (more than 128 can never fit: runs end at segment boundaries)'),
    largest: int('longest free run in slots'),
    largestBytes: int('longest free run in bytes'),
    free: int('free slots in total'),
    cursor: int('io_tlb_index, where the search started'),
  }),
  kind('cpu-read', 'A driver read its buffer with the CPU: what software sees at that moment.', {
    dev: str('device whose driver reads'),
    buf: str('buffer name'),
    pa: hex('physical address'),
    len: int('bytes'),
    sum: fnv32('FNV-1a of the bytes'),
    first: int('first byte value'),
    at: str('why now (e.g. "before sync_for_cpu")'),
  }),
  kind('cpu-write', 'A driver filled its buffer with the CPU.', {
    dev: str('device whose driver writes'),
    buf: str('buffer name'),
    pa: hex('physical address'),
    len: int('bytes'),
    pattern: int('byte value written'),
    sum: fnv32('FNV-1a of the buffer range afterwards'),
  }),
  kind('dev-access', 'A device read or wrote through one of its mappings, with a checksum of the bytes it moved.', {
    dev: str('device name'),
    handle: str('mapping handle'),
    op: oneOf(['read', 'write'], '"read" or "write"'),
    iova: hex('dma address'),
    len: int('bytes'),
    sum: fnv32('FNV-1a of the bytes the device read or wrote'),
  }),
  kind('blk-queue', 'virtblk_probe set the request queue limits.', {
    dev: str('device name'),
    maxSegmentSize: int('blk_queue_max_segment_size in bytes (4294967295 = -1U, unlimited)'),
    maxSegments: int('blk_queue_max_segments (seg_max)'),
    maxMappingSize: int('virtio_max_dma_size in bytes (null = SIZE_MAX, or not consulted in v5.0)').orNull(),
    why: str('which rule set the segment size'),
  }),
  kind(
    'blk-req',
    'A block request: "submit" when virtio_queue_rq takes it, "complete" when blk_mq_end_request ends it, "stalled" when it waits on a hardware queue that a failed dispatch stopped (blk_mq_stop_hw_queue) and nothing in flight will restart.',
    {
      dev: str('device name'),
      req: int('request number'),
      phase: oneOf(['submit', 'complete', 'stalled'], '"submit", "complete" or "stalled"'),
      op: oneOf(['read', 'write'], '"read" or "write"'),
      sector: int('512-byte sector'),
      bytes: int('request size'),
      segments: int('scatterlist entries from blk_rq_map_sg'),
      status: str('BLK_STS_OK or BLK_STS_IOERR (complete); why it waits (stalled)').opt(),
      sum: fnv32('FNV-1a of the buffer after completion (complete)').opt(),
    },
  ),
  kind('io-error', 'A block request failed: blk_update_request prints "I/O error, dev ..., sector ...".', {
    dev: str('device name'),
    req: int('request number'),
    sector: int('first sector'),
    bytes: int('request size'),
    status: str('BLK_STS_IOERR'),
    reason: str('what failed underneath'),
  }),
] as const;
