/**
 * mtk_iommu_iova_to_phys and its 4GB-mode fix-ups, per kernel (drivers/iommu/mtk_iommu.c).
 * v5.0.1: `if (data->enable_4GB) pa |= BIT_ULL(32);` after the io-pgtable lookup, for every
 * result, so an IOVA with no mapping (io-pgtable returns 0) comes back as 0x1_0000_0000.
 * v5.4.1: `if (data->enable_4GB && pa >= MTK_IOMMU_4GB_MODE_REMAP_BASE) pa &= ~BIT_ULL(32);`,
 * so 0 stays 0.
 */
import { describe, expect, it } from 'vitest';
import { iommuCore } from '../../../src/sim/iommu/types.ts';
import { iommuIovaToPhys } from '../../../src/sim/iommu/core.ts';
import type { Machine } from '../../../src/sim/machine.ts';
import { build, kinds, mtkScenario, runAll } from './mtk-helpers.ts';

const UNMAPPED = 0x7f00_0000;

function machine(kernel: 'v5.0' | 'v5.4', dram: string): Machine {
  return runMachine(kernel, dram).m;
}

function runMachine(kernel: 'v5.0' | 'v5.4', dram: string): { m: Machine; recs: Record<string, unknown>[] } {
  const m = build(mtkScenario('mt8173', kernel, [{ larb: 0, port: 0, ops: [] }], {}, dram));
  return { m, recs: runAll(m) };
}

const toPhys = (m: Machine, iova: number): number => iommuIovaToPhys(m, iommuCore(m).domains[0], iova);

describe('mtk iova_to_phys', () => {
  it('v5.0, 4GB mode (DRAM above 4 GiB): an unmapped IOVA reads back as BIT(32)', () => {
    expect(toPhys(machine('v5.0', '0x100000000'), UNMAPPED)).toBe(0x1_0000_0000);
  });

  it('v5.0 without 4GB mode, and v5.4 in 4GB mode: an unmapped IOVA reads back as 0', () => {
    expect(toPhys(machine('v5.0', '0x80000000'), UNMAPPED)).toBe(0);
    expect(toPhys(machine('v5.4', '0x100000000'), UNMAPPED)).toBe(0);
  });

  it('v5.0, 4GB mode: a mapped IOVA reads back as its CPU PA with BIT(32) ORed in', () => {
    const { m, recs } = runMachine('v5.0', '0x100000000');
    const map = kinds(recs, 'map').find((r) => r.api === 'iommu_map')!;
    const pa = Number(map.pa);
    expect(pa).toBeLessThan(0x1_0000_0000); // the buffer sits in the low 4 GiB of DRAM
    expect(toPhys(m, Number(map.iova) + 0x10)).toBe(0x1_0000_0000 + pa + 0x10);
  });
});
