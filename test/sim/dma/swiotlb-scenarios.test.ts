// The four SWIOTLB scenarios must tell their story, and for the reason the trace shows:
// the v5.0 virtio-blk request fails because one 512 KiB segment needs 256 slots (a run
// never spans more than one 128-slot segment), v5.4 caps segments at 256 KiB
// (virtio_max_dma_size) and succeeds; a fragmented pool fails with half of it free; a
// 32-bit device sees its data in the buffer only after sync_for_cpu/unmap.
import { describe, expect, it } from 'vitest';
import { build, expectGolden, linesAfterRestore, runLines, runRecords } from '../../helpers/scenario.ts';
import { diskByte } from '../../../src/sim/devices/virtio-blk.ts';
import { swiotlbSegments, swiotlbSlots, swiotlbStatus } from '../../../src/sim/dma/swiotlb-status.ts';

const SCENARIOS = ['swiotlb-virtio-blk-bug', 'swiotlb-virtio-blk-fixed', 'swiotlb-fragmentation', 'dma-mask-bounce'];
type Rec = Record<string, unknown>;
const of = (rs: Rec[], kind: string) => rs.filter((r) => r.kind === kind);

function fnvDisk(sector: number, bytes: number): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes; i++) {
    h ^= diskByte(sector * 512 + i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

describe('swiotlb-virtio-blk-bug (v5.0)', () => {
  const rs = runRecords('swiotlb-virtio-blk-bug');
  it('probes with an unlimited segment size', () => {
    expect(of(rs, 'blk-queue')[0]).toMatchObject({ maxSegmentSize: 0xffff_ffff, maxMappingSize: null });
  });
  it('the 512 KiB request is one segment; swiotlb is full for 256 slots; the request ends in an I/O error', () => {
    expect(of(rs, 'blk-req').find((r) => r.req === 1 && r.phase === 'submit')).toMatchObject({ segments: 1, bytes: 524288 });
    const full = of(rs, 'swiotlb-full');
    expect(full).toHaveLength(1);
    expect(full[0]).toMatchObject({ size: 524288, nslots: 256, largest: 128, largestBytes: 262144 });
    const mapErr = rs.find((r) => r.kind === 'map' && r.result === 'error');
    expect(mapErr).toMatchObject({ api: 'dma_map_page', size: 524288, reason: 'swiotlb buffer is full' });
    expect(of(rs, 'io-error')).toHaveLength(1);
    expect(of(rs, 'blk-req').at(-1)).toMatchObject({ req: 1, phase: 'complete', status: 'BLK_STS_IOERR' });
  });
  it('unmaps the header it had mapped (unmap_release), leaving the pool empty', () => {
    const { machine: m } = build('swiotlb-virtio-blk-bug');
    while (m.step());
    expect(swiotlbStatus(m)!.used).toBe(0);
  });
});

describe('swiotlb-virtio-blk-fixed (v5.4)', () => {
  const rs = runRecords('swiotlb-virtio-blk-fixed');
  it('caps segments at 256 KiB, maps two 128-slot runs and reads the disk correctly', () => {
    expect(of(rs, 'blk-queue')[0]).toMatchObject({ maxSegmentSize: 262144, maxMappingSize: 262144 });
    expect(of(rs, 'swiotlb-full')).toHaveLength(0);
    const big = of(rs, 'swiotlb-map').filter((r) => r.size === 262144);
    expect(big.map((r) => [r.slot, r.nslots])).toEqual([[128, 128], [256, 128]]);
    const done = of(rs, 'blk-req').filter((r) => r.phase === 'complete');
    expect(done.map((r) => r.status)).toEqual(['BLK_STS_OK', 'BLK_STS_OK']);
    expect(done[1].sum).toBe(fnvDisk(2048, 524288));
    expect(done[0].sum).toBe(fnvDisk(0, 4096));
  });
  it('the kernel field alone switches the bug scenario to the fix', () => {
    const v54 = runRecords('swiotlb-virtio-blk-bug', { kernel: 'v5.4' });
    expect(of(v54, 'io-error')).toHaveLength(0);
    expect(of(v54, 'blk-req').at(-1)).toMatchObject({ status: 'BLK_STS_OK', segments: 2 });
    const v50 = runRecords('swiotlb-virtio-blk-fixed', { kernel: 'v5.0' });
    expect(of(v50, 'io-error')).toHaveLength(1);
  });
});

describe('swiotlb-fragmentation', () => {
  it('fails with half the pool free but no run of 8 slots, then fits after the rest is freed', () => {
    const rs = runRecords('swiotlb-fragmentation');
    const full = of(rs, 'swiotlb-full');
    expect(full).toHaveLength(1);
    expect(full[0]).toMatchObject({ size: 16384, nslots: 8, largest: 2, largestBytes: 4096, free: 128 });
    const last = of(rs, 'map').at(-1)!;
    expect(last).toMatchObject({ size: 16384, result: 'ok' });
  });
  it('the status shows the holes, the cursor and the failed request', () => {
    const { machine: m } = build('swiotlb-fragmentation');
    while (m.step() && !m.stepRecords.some((r) => r.kind === 'swiotlb-full'));
    const v = swiotlbStatus(m)!;
    // IO_TLB_SHIFT 11 and IO_TLB_SEGSIZE 128 (kernel/dma/swiotlb.c, include/linux/swiotlb.h).
    expect(v).toMatchObject({ slotSize: 2048, segSize: 128 });
    expect(v).toMatchObject({ active: true, nslabs: 256, used: 128, freeSlots: 128, cursor: 0, maxMappingSize: 262144 });
    expect(v.largest).toEqual({ slot: 2, nslots: 2, bytes: 4096 });
    expect(v.runHistogram).toEqual({ 2: 64 });
    expect(v.lastFull).toMatchObject({ dev: 'nic32', size: 16384, nslots: 8 });
    expect(v.deviceMaxMappingSize).toEqual({ nic32: 262144 }); // v5.4: 32-bit mask, 4+ GiB of DRAM
    const slots = swiotlbSlots(m, 0, 4);
    expect(slots[0]).toMatchObject({ slot: 0, free: 0, owner: 'nic32', orig: 0x1_0000_0000 });
    expect(slots[2]).toEqual({ slot: 2, free: 2, owner: null, orig: null });
    expect(swiotlbSegments(m)).toEqual([
      { segment: 0, firstSlot: 0, used: 64, largest: 2, owners: ['nic32'] },
      { segment: 1, firstSlot: 128, used: 64, largest: 2, owners: ['nic32'] },
    ]);
  });
});

describe('dma-mask-bounce', () => {
  it('device data is stale in the buffer before sync_for_cpu / unmap and current after', () => {
    const rs = runRecords('dma-mask-bounce');
    const reads = of(rs, 'cpu-read');
    const writes = of(rs, 'dev-access').filter((r) => r.op === 'write');
    expect(reads[0].sum).not.toBe(writes[0].sum); // before sync_for_cpu
    expect(reads[1].sum).toBe(writes[0].sum); // after sync_for_cpu
    expect(reads[2].first).toBe(90); // after a second device write, still the old data
    expect(reads[3]).toMatchObject({ first: 119, sum: writes[1].sum }); // after unmap
    const devReads = of(rs, 'dev-access').filter((r) => r.op === 'read');
    const cpuWrites = of(rs, 'cpu-write');
    expect(devReads[0].sum).toBe(cpuWrites[0].sum); // the device still sees the data of map time
    expect(devReads[1].sum).toBe(cpuWrites[1].sum); // and the new data after sync_for_device
  });
});

describe('virtio-blk-segment-cap: dma_max_mapping_size per form', () => {
  // DRAM 1..2 GiB: the virtio device's 32-bit default mask reaches all of it, so it is not
  // addressing-limited and nothing forces bouncing. v5.4.1 dma_direct_max_mapping_size then
  // answers SIZE_MAX (virtblk_probe: -1U segments); v5.2's form answers
  // swiotlb_max_mapping_size = IO_TLB_SIZE (1 << 11) * IO_TLB_SEGSIZE (128) = 262144
  // whenever the pool exists (kernel/dma/direct.c, kernel/dma/swiotlb.c).
  it('conditional (v5.4): one 512 KiB segment, mapped directly', () => {
    const rs = runRecords('virtio-blk-segment-cap');
    expect(of(rs, 'blk-queue')[0]).toMatchObject({ maxSegmentSize: 0xffff_ffff, maxMappingSize: null });
    expect(of(rs, 'blk-req')[0]).toMatchObject({ phase: 'submit', bytes: 524288, segments: 1 });
    expect(of(rs, 'swiotlb-map')).toHaveLength(0);
  });
  it('unconditional (v5.2): capped at 256 KiB, two segments', () => {
    const rs = runRecords('virtio-blk-segment-cap', { overrides: { 'dma-max-mapping-size': 'unconditional' } });
    expect(of(rs, 'blk-queue')[0]).toMatchObject({ maxSegmentSize: 262144, maxMappingSize: 262144 });
    expect(of(rs, 'blk-req')[0]).toMatchObject({ phase: 'submit', bytes: 524288, segments: 2 });
    expect(of(rs, 'blk-req').at(-1)).toMatchObject({ phase: 'complete', status: 'BLK_STS_OK' });
  });
  it.each(['conditional', 'unconditional'])('%s matches its golden trace', (choice) => {
    expectGolden(`virtio-blk-segment-cap.${choice}.seed-1.jsonl`, runLines('virtio-blk-segment-cap', { overrides: { 'dma-max-mapping-size': choice } }));
  });
});

describe('determinism and goldens', () => {
  it.each(SCENARIOS)('%s: same bytes twice, and snapshot/restore replays the same suffix', (name) => {
    const full = runLines(name);
    expect(runLines(name)).toEqual(full);
    expect(linesAfterRestore(name, 3)).toEqual(full);
  });
  it.each(SCENARIOS)('%s matches its golden trace', (name) => {
    expectGolden(`${name}.seed-1.jsonl`, runLines(name));
  });
});
