// The debugger's `dmesg` and breakpoints on kernel log lines.
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debugger/session.ts';
import { build } from '../helpers/scenario.ts';
import { dmesgTime } from '../../src/debugger/dmesg.ts';

describe('dmesg', () => {
  it('print_time: "[%5lu.%06lu]" of seconds and microseconds', () => {
    expect(dmesgTime(0)).toBe('[    0.000000]');
    expect(dmesgTime(1_234_567)).toBe('[    0.001234]');
    expect(dmesgTime(123_456_789_012)).toBe('[  123.456789]');
  });

  it('break klog text~"..." stops where the line is printed; dmesg shows the log up to there', () => {
    const s = new Session(build('mt8183-bus-sel'));
    expect(s.exec('dmesg').lines).toEqual(['The kernel has printed nothing up to here.']);
    expect(s.exec('break klog text~"fault type"').error).toBeUndefined();
    const r = s.exec('continue');
    expect(r.stop?.reason).toBe('breakpoint');
    // drivers/iommu/mtk_iommu.c (v5.4.1) mtk_iommu_isr: vdec0 (larb 1 port 3, routed to mmu1:
    // FAULT_ST1 bit 7 = 0x80) read IOVA 0x7f000000 after it was unmapped, at t=1108 ns.
    const line = '[    0.000001] mtk-iommu 10205000.iommu: fault type=0x80 iova=0x7f000000 pa=0x0 larb=1 port=3 layer=0 read';
    expect(s.exec('dmesg').lines).toEqual([line]);
    expect(s.exec('dmesg -l err').lines).toEqual([line]);
    expect(s.exec('dmesg -l warn').lines).toEqual(['No kernel log lines match up to here.']);
    expect(s.exec('dmesg text~larb=1').lines).toEqual([line]);
    expect(s.exec('dmesg -l bogus').error?.message).toMatch(/unknown log level "bogus"/);
  });
});
