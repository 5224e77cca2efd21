/**
 * mtk_iommu_hw_init writes, in order, per SoC and kernel (kernel-facts §2.6, v5.0.1
 * mtk_iommu.c): the register names and values of the `reg` records before the domain.
 */
import { describe, expect, it } from 'vitest';
import { build, mtkScenario, runAll } from './mtk-helpers.ts';
import type { KernelVersion } from '../../../src/sim/kernel.ts';

function hwInit(soc: string, kernel: KernelVersion, dram = '0x80000000'): string[] {
  const recs = runAll(build(mtkScenario(soc, kernel, [{ larb: 0, port: 0, ops: [] }], { protect: { addr: '0x7f000000' } }, dram)));
  const end = recs.findIndex((r) => r.kind === 'domain');
  return recs.slice(0, end).filter((r) => r.kind === 'reg').map((r) => `${r.block} ${r.reg}${r.val ? '=' + r.val : ''}`);
}

describe('mtk_iommu_hw_init sequence', () => {
  it('mt8183, v5.4: no bclk, CTRL 0x20, both cells, no VLD_PA_RNG, AXI reset', () => {
    expect(hwInit('mt8183', 'v5.4')).toEqual([
      'm4u0 CTRL_REG=0x00000020',
      'm4u0 INT_CONTROL0=0x0000006f',
      'm4u0 INT_MAIN_CONTROL=0x00003fff',
      'm4u0 IVRP_PADDR=0x7f000000',
      'm4u0 DCM_DIS=0x00000000',
      'm4u0 STANDARD_AXI_MODE=0x00000000',
    ]);
  });

  it('mt8173, v5.4, 4GB mode: bclk, CTRL 0x50, IVRP = (base >> 1) | 4GB << 31, AXI reset', () => {
    expect(hwInit('mt8173', 'v5.4', '0x100000000')).toEqual([
      'm4u0 bclk',
      'm4u0 CTRL_REG=0x00000050',
      'm4u0 INT_CONTROL0=0x0000006f',
      'm4u0 INT_MAIN_CONTROL=0x00003fff',
      'm4u0 IVRP_PADDR=0xbf800000',
      'm4u0 DCM_DIS=0x00000000',
      'm4u0 STANDARD_AXI_MODE=0x00000000',
    ]);
  });

  it('mt8173, v5.0: mmu0 interrupts only (0x7f)', () => {
    expect(hwInit('mt8173', 'v5.0')).toContain('m4u0 INT_MAIN_CONTROL=0x0000007f');
  });

  it('mt2712, v5.4, 4GB mode: two M4Us, VLD_PA_RNG 0x704, no AXI reset', () => {
    const seq = hwInit('mt2712', 'v5.4', '0x100000000');
    const m4u0 = ['m4u0 bclk', 'm4u0 CTRL_REG=0x00000020', 'm4u0 INT_CONTROL0=0x0000006f', 'm4u0 INT_MAIN_CONTROL=0x00003fff', 'm4u0 IVRP_PADDR=0x7f000000', 'm4u0 VLD_PA_RNG=0x00000704', 'm4u0 DCM_DIS=0x00000000'];
    expect(seq.slice(0, 7)).toEqual(m4u0);
    expect(seq.slice(7)).toEqual(m4u0.map((x) => x.replace('m4u0', 'm4u1').replace('0x7f000000', '0x7f000100')));
  });

  it('mt2712, v5.0, no 4GB mode: mmu0 interrupts, no VLD_PA_RNG', () => {
    const seq = hwInit('mt2712', 'v5.0');
    expect(seq).toContain('m4u0 INT_MAIN_CONTROL=0x0000007f');
    expect(seq.some((x) => x.includes('VLD_PA_RNG'))).toBe(false);
  });
});
