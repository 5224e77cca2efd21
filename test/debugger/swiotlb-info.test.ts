// `info swiotlb` is how a user reads the pool at a stop; pin its wording on the
// fragmentation scenario at the moment the pool is full.
import { describe, expect, it } from 'vitest';
import { build } from '../helpers/scenario.ts';
import { swiotlbInfo } from '../../src/debugger/inspect/swiotlb-info.ts';
import { buildMachine } from '../../src/scenario/build/index.ts';
import { loadScenario } from '../helpers/scenario.ts';

describe('info swiotlb', () => {
  const { machine: m } = build('swiotlb-fragmentation');
  while (m.step() && !m.stepRecords.some((r) => r.kind === 'swiotlb-full'));

  it('summarises the pool in kernel terms', () => {
    expect(swiotlbInfo(m, [])).toEqual([
      'swiotlb active, force=no, pool 0x40000000-0x40080000',
      '  slots 256 (2 segments of 128 x 2 KiB), used 128, free 128',
      '  io_tlb_index 0',
      '  largest free run 2 slots (4096 bytes) at slot 2',
      '  free runs (count x slots): 64 x 2',
      '  swiotlb_max_mapping_size 262144',
      '  dma_max_mapping_size(nic32) 262144',
      '  last full: nic32 asked 16384 bytes (8 slots) at t=2ns',
    ]);
  });

  it('lists slots and segments', () => {
    expect(swiotlbInfo(m, ['slots', '0', '3'])).toEqual([
      '  slot free  owner        orig',
      '     0    0  nic32        0x100000000',
      '     1    0  nic32        0x100000800',
      '     2    2  -            -',
    ]);
    expect(swiotlbInfo(m, ['segments'])[1]).toBe('   0       0-127   64       2  nic32');
    expect(swiotlbInfo(m, ['bogus'])).toEqual(['usage: info swiotlb [slots FROM [N] | segments]']);
  });

  it('says the pool has no free run when every slot is used', () => {
    // 128 maps of 4 KiB take 2 slots each (IO_TLB_SHIFT 11): the whole 512 KiB pool of
    // 256 slots; the next map then fails ("swiotlb buffer is full").
    const sc = loadScenario('swiotlb-fragmentation');
    const dev = sc.devices[0] as (typeof sc.devices)[number] & { ops: unknown[] };
    const full = buildMachine({ ...sc, devices: [{ ...dev, ops: [dev.ops[0], dev.ops[2]] } as typeof dev] }).machine;
    while (full.step() && !full.stepRecords.some((r) => r.kind === 'swiotlb-full'));
    const lines = swiotlbInfo(full, []);
    expect(lines[1]).toBe('  slots 256 (2 segments of 128 x 2 KiB), used 256, free 0');
    expect(lines[3]).toBe('  largest free run: none (every slot is in use)');
    expect(lines.join('\n')).not.toMatch(/slot -1|0 slots/);
  });
});
