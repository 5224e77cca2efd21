// virtio-blk's driver path (virtblk_probe, virtio_queue_rq, virtqueue_add_split,
// virtblk_done in v5.0.1 / v5.4.1) decides what SWIOTLB is asked for; these cases pin
// the queue limits each kernel computes and the data each direction delivers.
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenario/load.ts';
import { buildMachine } from '../../../src/scenario/build/index.ts';
import { checksum } from '../../../src/sim/mem/phys.ts';
import { fnv32Text } from '../../../src/sim/trace/field.ts';

type Rec = Record<string, unknown>;

function run(opts: { kernel?: string; force?: boolean; dramSize?: string; dev?: Record<string, unknown>; requests?: unknown[]; swiotlb?: boolean }): { recs: Rec[]; bio: number; mem: ReturnType<typeof buildMachine>['machine']['state']['mem'] } {
  const s = {
    version: 1,
    name: 't',
    description: 't',
    kernel: opts.kernel ?? 'v5.4',
    memory: {
      dram: [{ base: '0x40000000', size: opts.dramSize ?? '0x100000000' }],
      buffers: [{ name: 'bio', size: '512K', fill: 0x5c }],
    },
    ...(opts.swiotlb === false ? {} : { swiotlb: { bytes: '4M', force: opts.force ?? false } }),
    devices: [{ kind: 'virtio-blk', name: 'vda', ...opts.dev, requests: opts.requests ?? [{ op: 'read', sector: 8, buf: 'bio', len: '512K' }] }],
  };
  const r = parseScenarioText(JSON.stringify(s), 't.json');
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  const b = buildMachine(r.scenario);
  const m = b.machine;
  while (m.step());
  const recs: Rec[] = [];
  for (let i = 0; i < m.trace.count; i++) recs.push(JSON.parse(m.trace.line(i)) as Rec);
  return { recs, bio: b.buffers.get('bio')!.pa, mem: m.state.mem };
}

const queue = (recs: Rec[]) => recs.find((r) => r.kind === 'blk-queue')!;
const done = (recs: Rec[]) => recs.filter((r) => r.kind === 'blk-req' && r.phase === 'complete');

describe('virtblk_probe queue limits', () => {
  it('v5.4 without force still caps at 256 KiB when DRAM reaches above 4 GiB: &vdev->dev has no dma_mask', () => {
    expect(queue(run({ dev: { dmaMask: 64 } }).recs)).toMatchObject({ maxSegmentSize: 262144 });
  });
  it('v5.4 without force and all DRAM below 4 GiB: SIZE_MAX, so -1U', () => {
    expect(queue(run({ dramSize: '0x80000000' }).recs)).toMatchObject({ maxSegmentSize: 0xffff_ffff, maxMappingSize: null });
  });
  it('v5.4 without VIRTIO_F_IOMMU_PLATFORM: no DMA API, no cap, no swiotlb: physical addresses', () => {
    const { recs } = run({ force: true, dev: { iommuPlatform: false } });
    expect(queue(recs)).toMatchObject({ maxSegmentSize: 0xffff_ffff });
    expect(recs.filter((r) => r.kind === 'swiotlb-map')).toHaveLength(0);
    expect(done(recs)[0].status).toBe('BLK_STS_OK');
  });
  it('size_max wins when smaller, in both kernels', () => {
    for (const kernel of ['v5.0', 'v5.4']) {
      const { recs } = run({ kernel, force: true, dev: { sizeMax: '64K' } });
      expect(queue(recs)).toMatchObject({ maxSegmentSize: 65536, why: 'size_max' });
      expect(recs.find((r) => r.kind === 'blk-req')).toMatchObject({ segments: 8 });
      expect(done(recs)[0].status).toBe('BLK_STS_OK');
    }
  });
});

describe('requests', () => {
  it('a write: the host reads through the bounce buffers exactly what the CPU wrote', () => {
    const { recs, bio, mem } = run({ force: true, requests: [{ op: 'write', sector: 0, buf: 'bio', len: '512K' }] });
    const host = recs.filter((r) => r.kind === 'dma' && r.dir === 'read' && r.len === 4096);
    expect(host.length).toBe(128); // 512 KiB of data read page by page from the bounce pool
    expect(done(recs)[0]).toMatchObject({ status: 'BLK_STS_OK', sum: fnv32Text(checksum(mem, bio, 524288)) });
  });

  it('v5.0: after the failed dispatch the hardware queue stays stopped; the next request stalls', () => {
    const { recs } = run({
      kernel: 'v5.0',
      force: true,
      requests: [
        { op: 'read', sector: 8, buf: 'bio', len: '512K' },
        { op: 'read', sector: 0, buf: 'bio', len: '4K' },
      ],
    });
    expect(recs.filter((r) => r.kind === 'io-error')).toHaveLength(1);
    expect(recs.at(-1)).toMatchObject({ kind: 'blk-req', req: 1, phase: 'stalled' });
  });
});
