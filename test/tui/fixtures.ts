/**
 * Test fixtures: a port over a real Session on a built-in scenario, and plain view-model
 * fixtures for the model panels (page tables, larb bus, SWIOTLB, IOTLB, notifiers) until
 * the models are wired in.
 */
import { Session } from '../../src/debugger/session.ts';
import { portFor } from '../../src/tui/session-app.tsx';
import type { ModelSlices } from '../../src/tui/port.ts';
import type { PgtableView, PteView } from '../../src/tui/panels/pgtable/model.ts';
import type { LarbView } from '../../src/tui/panels/larb/model.ts';
import type { SwiotlbView } from '../../src/tui/panels/swiotlb/model.ts';
import type { IotlbView } from '../../src/tui/panels/iotlb/model.ts';
import type { NotifiersView } from '../../src/tui/panels/notifiers/model.ts';
import type { PanelEnv } from '../../src/tui/panels/panel.ts';
import type { SessionPort } from '../../src/tui/session-port.ts';
import { build } from '../helpers/scenario.ts';

export function demoSession(name = 'demo-dma-engine'): Session {
  return new Session(build(name));
}

export function demoPort(models?: () => ModelSlices, name = 'demo-dma-engine'): { port: SessionPort & { dispose(): void }; session: Session } {
  const session = demoSession(name);
  return { port: portFor(session, models), session };
}

export function env(port: SessionPort, rows: number, cols: number, extra: Partial<PanelEnv> = {}): PanelEnv {
  return { port, ui: { cursor: 0 }, rows, cols, search: null, filter: null, console: [], ...extra };
}

const leaf = (index: number, type: PteView['type'], out: number, raw: number, extra: Partial<PteView> = {}): PteView => ({
  index, raw, type, out, perm: 'rw', attr: 'normal wb', ns: true, mtk: '', ...extra,
});

/** Domain 0: a 2 MiB section run at 0x40000000, a table at L1[0x401] with 4 small pages, one changed. */
export const PGTABLE: PgtableView = {
  format: 'arm-v7s',
  walkIova: 0x40102000,
  domains: [
    {
      name: 'mtk domain 0 (mmu0)',
      ttbr: 0x7f000000,
      l1: [
        leaf(0x400, 'section', 0x80000000, 0x80000c12),
        leaf(0x402, 'section', 0x80100000, 0x80100c12),
        leaf(0x403, 'section', 0x80200000, 0x80200c12),
        leaf(0x401, 'table', 0x7f004000, 0x7f004001),
        leaf(0x500, 'supersection', 0x100000000, 0x00040c12, { mtk: 'pa[32]=1 (bit9)' }),
      ].sort((a, b) => a.index - b.index),
      l2: {
        0x401: [
          leaf(0x00, 'small', 0x90000000, 0x9000003e),
          leaf(0x01, 'small', 0x90001000, 0x9000103e),
          leaf(0x02, 'small', 0x90002000, 0x9000203e, { changed: true, perm: 'ro' }),
          leaf(0x10, 'small', 0x90010000, 0x9001003e),
        ],
      },
    },
    { name: 'mtk domain 1 (mmu1)', ttbr: 0x7f010000, l1: [], l2: {} },
  ],
};

export const LARB: LarbView = {
  soc: 'mt8183',
  busSelReg: 0x44,
  commonClock: true,
  commonPower: true,
  m4us: [
    {
      name: 'm4u0',
      cells: [
        { id: 'mmu0', traffic: 120, iotlbHits: 110, iotlbMisses: 10, faults: 0 },
        { id: 'mmu1', traffic: 40, iotlbHits: 30, iotlbMisses: 10, faults: 2 },
      ],
    },
  ],
  larbs: [
    { id: 0, name: 'larb0', m4u: 'm4u0', busSel: 0, cell: 'mmu0', clock: true, power: true, faults: 0, ports: [{ id: 0, name: 'disp_ovl0', traffic: 100, faults: 0 }] },
    { id: 2, name: 'larb2', m4u: 'm4u0', gals: 'gals0', busSel: 1, cell: 'mmu1', clock: true, power: true, faults: 2, ports: [{ id: 0, name: 'mdp_rdma0', traffic: 40, faults: 2 }, { id: 1, name: 'mdp_wrot0', traffic: 0, faults: 0 }] },
    { id: 4, name: 'larb4', m4u: 'm4u0', gals: 'gals0', busSel: 0, cell: 'mmu0', clock: false, power: false, faults: 0, ports: [] },
  ],
  currentLarb: 2,
};

/** 256 slots, owners blit0 (A) and nvme0 (B), a failed 300 KiB request. */
export function swiotlbFixture(nslabs = 256): SwiotlbView {
  const owner = new Array<number>(nslabs).fill(-1);
  for (let i = 0; i < 40; i++) owner[i] = 0;
  for (let i = 130; i < 200; i++) owner[i] = 1;
  owner[60] = 1;
  const list = owner.map(() => 0);
  return {
    start: 0xf8000000, nslabs, slotSize: 2048, segSize: 128, owner, list, owners: ['blit0', 'nvme0'],
    index: 200, maxMappingSize: 256 * 1024, lastFailed: { dev: 'blit0', size: 300 * 1024, nslots: 150 },
  };
}

export const IOTLB: IotlbView = {
  tlbs: [
    { name: 'mmu0 IOTLB', kind: 'iotlb', capacity: 32, entries: [{ iova: 0x40000000, pa: 0x80000000, size: 4096, write: true, domain: 0 }, { iova: 0x40001000, pa: 0x80001000, size: 4096, write: true, domain: 0, stale: true }] },
    { name: 'nvme0 ATC', kind: 'device-iotlb', capacity: 8, entries: [{ iova: 0x1000, pa: 0x90000000, size: 4096, write: false, pasid: 1 }] },
  ],
};

export const NOTIFIERS: NotifiersView = {
  mms: [{ name: 'app', pid: 100, last: 'invalidate_range_start 0x1000-0x3000', subscribers: [{ name: 'amd_iommu_v2', ops: ['invalidate_range', 'release'], calls: 3 }] }],
};

export const ALL_MODELS = (): ModelSlices => ({ pgtable: PGTABLE, larb: LARB, swiotlb: swiotlbFixture(), iotlb: IOTLB, notifiers: NOTIFIERS });
