// A scenario mistake must come back as one problem at the exact JSON path, never as a
// crash at build or a silently wrong run: these are the checks the SWIOTLB issue added.
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/load.ts';
import { buildMachine } from '../../src/scenario/build/index.ts';

function base(extra: Record<string, unknown>, devices: unknown[]): Record<string, unknown> {
  return {
    version: 1,
    name: 't',
    description: 'test',
    memory: { dram: [{ base: '0x40000000', size: '0x100000000' }], buffers: [{ name: 'b', size: '64K' }] },
    devices,
    ...extra,
  };
}

function problems(s: Record<string, unknown>): string[] {
  const r = parseScenarioText(JSON.stringify(s), 'x.json');
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
}

const bm = (ops: unknown[]) => ({ kind: 'bus-master', name: 'nic', ops });
const vblk = (requests: unknown[]) => ({ kind: 'virtio-blk', name: 'vda', requests });

describe('bus-master checks', () => {
  it('a handle used before it is mapped, or after it is unmapped', () => {
    expect(problems(base({}, [bm([{ op: 'dev-read', handle: 'h', len: 16 }])]))).toEqual(['devices[0].ops[0].handle: "h" is not mapped at this point']);
    const ops = [
      { op: 'map', handle: 'h', buf: 'b', len: '4K', dir: 'to-device' },
      { op: 'unmap', handle: 'h' },
      { op: 'sync-for-cpu', handle: 'h' },
    ];
    expect(problems(base({}, [bm(ops)]))).toEqual(['devices[0].ops[2].handle: "h" was unmapped at devices[0].ops[1]']);
  });

  it('a device read after the unmap points at the op that models it (a DMA through a raw address)', () => {
    const ops = [
      { op: 'map', handle: 'h', buf: 'b', len: '4K', dir: 'to-device' },
      { op: 'unmap', handle: 'h' },
      { op: 'dev-read', handle: 'h', len: 16 },
    ];
    const r = parseScenarioText(JSON.stringify(base({}, [bm(ops)])), 'x.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0].hint).toContain('"op": "access"');
    // A misspelt handle while another is live: the live one is suggested, not an unmapped one.
    const two = [...ops.slice(0, 2), { op: 'map', handle: 'rx', buf: 'b', len: '4K', dir: 'to-device' }, { op: 'dev-read', handle: 'rz', len: 16 }];
    const r2 = parseScenarioText(JSON.stringify(base({}, [bm(two)])), 'x.json');
    if (!r2.ok) expect(r2.problems[0].hint).toBe('did you mean "rx"? (mapped here: rx)');
    expect(r2.ok).toBe(false);
  });

  it('overruns of the buffer and of the mapping', () => {
    const ops = [
      { op: 'map', handle: 'h', buf: 'b', len: '4K', count: 17, dir: 'to-device' },
      { op: 'dev-write', handle: 'h', offset: 4000, len: 200, pattern: 1 },
      { op: 'cpu-read', buf: 'nope', len: 4, at: 'x' },
    ];
    expect(problems(base({}, [bm(ops)]))).toEqual([
      'devices[0].ops[0].len: 69632 bytes from offset 0 overrun buffer "b" (65536 bytes)',
      'devices[0].ops[1].len: 4200 bytes from offset 4000 overrun mapping "h" (4096 bytes)',
      'devices[0].ops[2].buf: no buffer named "nope"',
    ]);
  });

  it('a segment boundary mask must be a power of two minus one', () => {
    const s = base({}, [{ ...bm([{ op: 'delay', ns: 1 }]), segBoundaryMask: '0x1234' }]);
    expect(problems(s)).toEqual(['devices[0].segBoundaryMask: segment boundary mask + 1 must be a power of two']);
  });
});

describe('virtio-blk checks', () => {
  it('whole sectors, within max_sectors, inside the buffer', () => {
    const s = base({ memory: { dram: [{ base: '0x40000000', size: '0x100000000' }], buffers: [{ name: 'b', size: '2M' }] } }, [
      vblk([
        { op: 'read', sector: 0, buf: 'b', len: 1000 },
        { op: 'read', sector: 0, buf: 'b', len: '2M' },
        { op: 'write', sector: 0, buf: 'b', offset: '1M', len: '1M', },
        { op: 'write', sector: 0, buf: 'b', offset: '1M', len: '1028K' },
      ]),
    ]);
    expect(problems(s)).toEqual([
      'devices[0].requests[0].len: 1000 bytes is not a whole number of 512-byte sectors',
      'devices[0].requests[1].len: 2097152 bytes exceeds max_sectors (1310720 bytes); the block layer would split it',
      'devices[0].requests[3].len: 2101248 bytes overrun buffer "b" (2097152 bytes)',
    ]);
  });

  it('virtio_max_dma_size without dma_max_mapping_size is refused', () => {
    const s = base({ kernel: 'v5.0', overrides: { 'virtio-blk-max-segment': 'virtio_max_dma_size' } }, []);
    expect(problems(s)).toEqual(['overrides: virtio-blk-max-segment "virtio_max_dma_size" needs dma-max-mapping-size, which is "absent" here']);
  });
});

describe('swiotlb section', () => {
  it('defaults: not forced, below 4 GiB; a byte size is aligned up to 128 slots', () => {
    const r = parseScenarioText(JSON.stringify(base({ swiotlb: { bytes: 3000 } }, [])), 'x.json');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.swiotlb).toEqual({ nslabs: 128, force: false, below: 0x1_0000_0000 });
    const m = buildMachine(r.scenario).machine;
    const st = m.state.models.swiotlb as { nslabs: number; start: number; end: number };
    expect(st.nslabs).toBe(128);
    expect(st.end - st.start).toBe(256 * 1024);
    expect(st.end).toBeLessThanOrEqual(0x1_0000_0000);
  });

  it('unknown fields and a pool that cannot fit low are reported with their path', () => {
    expect(problems(base({ swiotlb: { byts: '1M' } }, []))[0]).toMatch(/^swiotlb/);
    const r = parseScenarioText(JSON.stringify(base({ swiotlb: { bytes: '1G', below: '0x60000000' } }, [])), 'x.json');
    expect(r.ok).toBe(true);
    if (r.ok) expect(() => buildMachine(r.scenario)).toThrow(/no free DRAM below 0x60000000/);
    // A pool over the limits table's 1 GiB is refused before any build.
    expect(problems(base({ swiotlb: { bytes: '4G' } }, []))).toEqual(['swiotlb: a 4096 MiB pool is more than the 1024 MiB a scenario may have']);
  });
});
