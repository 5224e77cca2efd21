// `info mappings`: the live DMA API mappings, as dma-debug's debug_dma_dump_mappings lists them.
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { build } from '../helpers/scenario.ts';

describe('info mappings', () => {
  it('a bounced mapping shows its SWIOTLB slot and the record that mapped it; unmap removes it', () => {
    // dma-mask-bounce: nic32 (32-bit mask) maps a 16 KiB buffer above 4 GiB from-device;
    // dma-direct bounces it to the pool's first slot (0x40000000, slot 0). Record 1 is the map.
    const s = new Session(build('dma-mask-bounce'));
    s.exec('step');
    const lines = s.exec('info mappings').lines;
    expect(lines[0]).toMatch(/^DEVICE +API +DIRECTION +DMA ADDR +SIZE +PHYS +BOUNCE +MAPPED AT$/);
    expect(lines[1].split(/ +/)).toEqual(['nic32', 'dma_map_single', 'DMA_FROM_DEVICE', '0x40000000', '16384', '0x100000000', 'slot', '0', 'record', '1']);
    expect(s.exec('info mappings nic32').lines).toEqual(lines);
    s.exec('break unmap');
    s.exec('continue');
    s.exec('step');
    expect(s.exec('info mappings').lines.some((l) => l.startsWith('nic32  dma_map_single  DMA_FROM_DEVICE    0x40000000'))).toBe(false);
  });

  it('an unknown device is named with the ones there are', () => {
    const s = new Session(build('dma-mask-bounce'));
    expect(s.exec('info mappings bogus').lines).toEqual(['no device "bogus": devices here: nic32']);
  });
});

describe('PCI devices by their pci_name', () => {
  it('info devices shows 0000:BB:DD.F for PCI functions (vtd-fault-reasons: gpu0 at 02:00.0, sata0 at 03:00.0)', () => {
    const s = new Session(build('vtd-fault-reasons'));
    const lines = s.exec('info devices').lines;
    expect(lines.find((l) => l.startsWith('gpu0 '))).toMatch(/ 0000:02:00\.0\b/);
    expect(lines.find((l) => l.startsWith('sata0 '))).toMatch(/ 0000:03:00\.0\b/);
  });
});
