// AMD IOMMUv2 through the command buffer: with the SVA device listed behind an AMD IOMMU,
// each __flush_pasid (drivers/iommu/amd_iommu.c) queues INVALIDATE_IOMMU_PAGES (GN, PDE) to
// the domain's IOMMU, waits, queues INVALIDATE_IOTLB_PAGES (the PASID split over data[0]
// 23:16 and data[1] 23:16) and waits; the ATC entries go when that command executes. The
// notifier behaviour (what is flushed, what the ATC drops) is the same as without the section.
import { describe, expect, it } from 'vitest';
import { buildMachine } from '../../../../src/scenario/build/index.ts';
import { loadScenario, runLines } from '../../../helpers/scenario.ts';

type Rec = Record<string, unknown> & { kind: string; seq: number };

function withAmd(kernel: 'v5.0' | 'v5.4'): Rec[] {
  const s = loadScenario('amd-v2-young-bit');
  const { machine: m } = buildMachine({ ...s, amd: { ...AMD, devices: [{ dev: 'accel0', bdf: '0000:05:00.0', ats: false, qdep: 32 }] } }, { kernel });
  while (m.step()) {
    /* run */
  }
  return Array.from({ length: m.trace.count }, (_, i) => JSON.parse(m.trace.line(i)) as Rec);
}

const AMD = {
  iommus: [{ name: 'iommu0', devid: '00:00.2' }],
  fullflush: false,
  npCache: false,
  iotlbEntries: 64,
  irqLatency: 1000,
  barWindows: [],
  ops: [],
  inject: { mapPageEnomem: [] },
};

const strip = (r: Rec) => ({ start: r.start, end: r.end, by: r.by, dropped: r.dropped, pasid: r.pasid });

describe('AMD IOMMUv2 flushes through the command buffer', () => {
  for (const kernel of ['v5.0', 'v5.4'] as const) {
    it(`${kernel}: every atc-inval follows its four commands, and drops what it dropped without the section`, () => {
      const rs = withAmd(kernel);
      const plain = runLines('amd-v2-young-bit', { kernel }).map((l) => JSON.parse(l) as Rec);
      const inv = rs.filter((r) => r.kind === 'atc-inval');
      expect(inv.map(strip)).toEqual(plain.filter((r) => r.kind === 'atc-inval').map(strip));
      expect(inv.length).toBeGreaterThan(0);
      const cmds = rs.filter((r) => r.kind === 'amd-cmd' && r.by === '__flush_pasid' || (r.kind === 'amd-cmd' && r.cmd === 'COMPLETION_WAIT'));
      for (const a of inv) {
        const before = cmds.filter((c) => c.seq < a.seq).slice(-4);
        expect(before.map((c) => c.cmd)).toEqual(['INVALIDATE_IOMMU_PAGES', 'COMPLETION_WAIT', 'INVALIDATE_IOTLB_PAGES', 'COMPLETION_WAIT']);
        expect(before[0].dw).toBe((a.iotlbCmd as string).replace('INVALIDATE_IOMMU_PAGES ', ''));
        expect(before[2].dw).toBe((a.atcCmd as string).replace('INVALIDATE_IOTLB_PAGES ', ''));
      }
      // The device's requester id is its PCI function: data[1] of INVALIDATE_IOTLB_PAGES = 0x0500 | pasid low byte << 16 | 4 << 28.
      expect(String(inv[0].atcCmd)).toMatch(/^INVALIDATE_IOTLB_PAGES 0x..\d{2}0500 0x40..0500 /);
    });
  }
});
