/**
 * Build-time setup and the probe event of the mtk model: state for the M4U instances and
 * SMI, the services other layers call (iommu ops, translator, DMA ops), then at t=0 the
 * driver probe: hw_init on every M4U, the shared DMA domain with its v7s table
 * (mtk_iommu_domain_finalise), and the attach of every client device in scenario order.
 */
import type { Machine } from '../../machine.ts';
import { MTK_DRIVER_GEN, V7S_SPLIT_BLK, kernelRelease } from '../../kernel.ts';
import { PRIO } from '../../machine.ts';
import { translatorKey, type Translator } from '../../devices/port.ts';
import { armV7sAllocPgtable } from '../../pgtable/arm-v7s/index.ts';
import type { ArmV7sCfgIn } from '../../pgtable/arm-v7s/types.ts';
import { type MtkSoc, SMI_PLATS } from '../../smi/plat.ts';
import { SMI_MODEL, type SmiState } from '../../smi/state.ts';
import { iommuAttachDevice, iommuDomainAlloc } from '../core.ts';
import { provideIommuDmaOps } from '../dma-iommu.ts';
import { IOTLB_ENTRIES, iotlbCreate } from '../iotlb.ts';
import { iommuOpsKey } from '../types.ts';
import { MTK_IOMMU_PLATS } from './plat.ts';
import { REG_WORDS } from './regs.ts';
import { MTK_ISR } from './hw.ts';
import { mtkIommuHwInit } from './hwinit.ts';
import { mtkIommuIsr } from './isr.ts';
import { mtkIommuOps } from './ops.ts';
import { mtkTranslate } from './translate.ts';
import { MTK_DRIVER, MTK_MODEL, type MtkCellState, type MtkState, mtkState } from './state.ts';
import { eventKey } from '../../core/keys.ts';

const PROBE = eventKey('mtk.probe');
export const SZ_1M = 0x100000;
/** pgsize_bitmap: SZ_4K | SZ_64K | SZ_1M | SZ_16M */
export const MTK_PGSIZE_BITMAP = 0x1000 | 0x10000 | 0x100000 | 0x1000000;

export interface MtkSetup {
  soc: MtkSoc;
  enable4GB: boolean;
  protectBases: number[];
  m4uLarbs: number[][];
  iotlbEntries: number;
  rangeFlushTimeouts: number[];
  irqLatencyNs: number;
  /** Client devices in scenario order (attached at probe). */
  clients: string[];
}

/**
 * xs.map(fn) that always gives a packed array. Once TurboFan inlines Array.prototype.map it
 * allocates the result holey (a new elements kind, so a new map): in a swarm worker every
 * function that had seen the builtin's packed arrays deoptimised and compiled again at
 * seed ~1,000 (`--trace-deopt`: 13-18 wrong-map bailouts). A push loop is packed in every tier.
 */
function mapPacked<T, U>(xs: readonly T[], fn: (x: T, i: number) => U): U[] {
  const out: U[] = [];
  for (let i = 0; i < xs.length; i++) out.push(fn(xs[i], i));
  return out;
}

function cellCreate(n: number): MtkCellState {
  return { iotlb: iotlbCreate(n), reads: 0, writes: 0, walks: 0, faults: 0, faultsByPort: {}, faultDev: '' };
}

function smiCreate(soc: MtkSoc, larbM4u: number[]): SmiState {
  const plat = SMI_PLATS[soc];
  return {
    soc,
    common: { refcount: 0, clocks: [], busSel: 0 },
    larbs: mapPacked(plat.larbPorts, (ports, id) => ({
      id,
      name: plat.larbNames[id],
      ports,
      direct: (plat.directToCommonMask & (1 << id)) !== 0,
      m4u: larbM4u[id],
      refcount: 0,
      clocks: [],
      mmu: 0,
      nonsecCon: new Array<number>(ports).fill(0),
      mmuEn: 0,
      portReads: new Array<number>(ports).fill(0),
      portWrites: new Array<number>(ports).fill(0),
      portFaults: new Array<number>(ports).fill(0),
      blocked: 0,
    })),
  };
}

export function mtkSetup(m: Machine, a: MtkSetup): void {
  const driver = m.behaviour(MTK_DRIVER_GEN);
  const larbM4u: number[] = [];
  a.m4uLarbs.forEach((larbs, i) => larbs.forEach((l) => (larbM4u[l] = i)));
  const state: MtkState = {
    soc: a.soc,
    driver,
    enable4GB: a.enable4GB,
    m4u: mapPacked(a.m4uLarbs, (larbs, id) => ({
      id,
      name: `m4u${id}`,
      regs: new Array<number>(REG_WORDS).fill(0),
      cells: [cellCreate(a.iotlbEntries || IOTLB_ENTRIES), cellCreate(a.iotlbEntries || IOTLB_ENTRIES)],
      larbs: [...larbs],
      irqPending: false,
      tlbFlushActive: false,
      hasDomain: false,
      protectBase: a.protectBases[id],
    })),
    larbM4u,
    domainId: -1,
    pgtable: null,
    rangeSyncs: 0,
    rangeFlushTimeouts: [...a.rangeFlushTimeouts],
    skipFlush: false,
    irqLatencyNs: a.irqLatencyNs,
    clients: [...a.clients],
  };
  m.addModel(MTK_MODEL, state);
  m.addModel(SMI_MODEL, smiCreate(a.soc, larbM4u));
  m.provide(iommuOpsKey(MTK_DRIVER), mtkIommuOps);
  m.provide(translatorKey('mtk'), mtkTranslate);
  provideIommuDmaOps(m, MTK_DRIVER);
  m.on(MTK_ISR, mtkIommuIsr);
  const probe = m.on(PROBE, mtkIommuProbe);
  m.schedule(0, probe, 0, 0, PRIO.kernel);
}

/** The io_pgtable_cfg mtk_iommu_domain_finalise builds, per kernel. */
export function mtkPgtableCfg(m: Machine, enable4GB: boolean): ArmV7sCfgIn {
  const v54 = m.config.kernel === 'v5.4';
  return {
    domain: 'mtk-dom0',
    kernel: kernelRelease(m.config.kernel),
    quirks: v54
      ? { armNs: true, noPerms: true, tlbiOnMap: true, mtkExt: true }
      : { armNs: true, noPerms: true, tlbiOnMap: true, mtk4gb: enable4GB },
    pgsizeBitmap: MTK_PGSIZE_BITMAP,
    ias: 32,
    oas: v54 ? 34 : 32,
    coherentWalk: false,
    splitBlk: m.behaviour(V7S_SPLIT_BLK),
  };
}

/** The probe event: the driver's probe, then the attach of every client in scenario order. */
export function mtkIommuProbe(m: Machine): void {
  const s = mtkState(m);
  for (const inst of s.m4u) mtkIommuHwInit(m, inst);
  const r = armV7sAllocPgtable(m, mtkPgtableCfg(m, s.enable4GB));
  if (!r.ok) {
    m.emit('reg', { block: 'm4u0', op: 'probe', reg: 'io-pgtable', error: r.reason });
    return;
  }
  s.pgtable = r.pt;
  const dom = iommuDomainAlloc(m, { driver: MTK_DRIVER, name: 'mtk-dom0', pgsizeBitmap: MTK_PGSIZE_BITMAP, start: 0x1000, limit: 2 ** 32 });
  s.domainId = dom.id;
  m.emit('domain', { iommu: 'mtk', domain: dom.name, fmt: 'arm-v7s', pgd: r.pt.pgd, ttbr0: r.pt.cfg.ttbr0, kernel: m.config.kernel, driver: s.driver, enable4GB: s.enable4GB });
  for (const dev of s.clients) iommuAttachDevice(m, dom, dev);
}

export { MTK_IOMMU_PLATS };
