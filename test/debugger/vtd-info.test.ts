// `info vtd` and `info pt DOMAIN IOVA` on a VT-d domain: what a user reads at a stop. The
// words are the ones the golden traces pin (domain_context_mapping_one, __domain_mapping).
import { describe, expect, it } from 'vitest';
import { build } from '../helpers/scenario.ts';
import { inspector } from '../../src/debugger/inspect/index.ts';
import type { Machine } from '../../src/sim/machine.ts';

function at(scenario: string, seq: number): { machine: Machine; built: ReturnType<typeof build> } {
  const built = build(scenario);
  const m = built.machine;
  while (m.state.traceCount <= seq && m.step());
  return { machine: m, built };
}

const info = (ctx: ReturnType<typeof at>, topic: string, args: string[] = []): string[] => inspector(topic)!.run(ctx, args);

describe('info vtd', () => {
  it('vtd-stale-iotlb after the write through the stale entry: unit, domain, device entries, IOTLB', () => {
    const ctx = at('vtd-stale-iotlb', 37);
    const lines = info(ctx, 'vtd');
    expect(lines[0]).toBe('VT-d, v5.4 driver, intel_iommu=strict: scalable mode off, strict (flush at unmap)');
    expect(lines).toContain('dmar0 @0xfed90000: legacy mode, translation on, queued invalidation');
    expect(lines).toContain('  MGAW 48, levels 4 (unit agaw 2), 8 fault records at 0x400, PSI yes (MAMV 18), ZLR no, CM no, SMPWC no');
    expect(lines).toContain('  nic0 0000:00:03.0 (ixgbe) on dmar0 -> vtd-dom0 did 1');
    expect(lines).toContain('    context[0x18] @0x10005180 0x0000000010004001 0x0000000000000102  P TT=0 AW=2 (4 levels) DID=1 SLPTPTR=0x10004000');
    expect(info(ctx, 'vtd', ['iotlb'])).toEqual([
      'dmar0 IOTLB: 1/64 valid, hits 1 misses 1',
      '  [0] did 1 iova 0xfffff000 -> 0x10000000 4K RW  leaf 0x0000000010000003  STALE (page table changed)',
    ]);
  });

  it('info pt walks a VT-d domain level by level and lists its leaves as runs', () => {
    const ctx = at('vtd-iova-alloc', 56);
    expect(info(ctx, 'pt', ['vtd-dom0', '0xffff80000000'])).toEqual([
      'walk of 0xffff80000000 in vtd-dom0 (did 1, 4 levels, pgd 0x10013000)',
      '  L4[0x1ff] @0x10013ff8 = 0x0000000010019003  table -> 0x10019000 RW',
      '  L3[0x1fe] @0x10019ff0 = 0x00000000c0000081  page 1G -> 0xc0000000 R- superpage',
      '  -> PA 0xc0000000',
    ]);
    const leaves = info(ctx, 'pt', ['vtd-dom0']);
    expect(leaves[0]).toBe('vtd-dom0: VT-d second level, 4 levels, pgd 0x10013000, 10 leaves');
    expect(leaves).toContain('  0xffff00000000..0xffffc0000000 -> 0x40000000  3 x 1G R-');
    expect(info(ctx, 'pt', ['vtd-dom9'])).toEqual(['no VT-d domain "vtd-dom9": vtd-dom0, vtd-dom1']);
  });
});

describe('info on PCI', () => {
  it('p2p-thru-host-bridge-vtd: info vtd lists the PCI endpoint on its host bridge\'s unit, info devices its PCI address', () => {
    const ctx = at('p2p-thru-host-bridge-vtd', 61); // after the first write (the IOTLB miss)
    const lines = info(ctx, 'vtd');
    // The endpoint's driver name is its pci section's (mlx5_core); its unit the host bridge's iommu.
    expect(lines).toContain('  mlx0 0000:04:00.0 (mlx5_core) on dmar0 -> vtd-dom0 did 1');
    expect(info(ctx, 'vtd', ['iotlb'])[0]).toBe('dmar0 IOTLB: 1/64 valid, hits 0 misses 1');
    const devs = info(ctx, 'devices');
    expect(devs[0]).toMatch(/^name +pci +kind/);
    expect(devs.find((l) => l.startsWith('mlx0'))).toMatch(/^mlx0 +0000:04:00\.0 +pci-endpoint +/);
  });

  it('info pci names the host bridge\'s unit and, under the NIC\'s function, that its DMA is remapped there', () => {
    const lines = info(at('p2p-thru-host-bridge-vtd', 61), 'pci');
    expect(lines[1]).toBe('hsx: root bus 00, 00.0 8086:2f00 whitelisted (same host bridge only), window 0xe0000000+128M, IOMMU VT-d dmar0');
    expect(lines.some((l) => /^ +driven by device mlx0, its DMA remapped by VT-d dmar0$/.test(l))).toBe(true);
  });
});
