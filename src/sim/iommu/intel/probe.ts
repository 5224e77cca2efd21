/**
 * Build-time setup and the boot event of the VT-d model: per DMAR unit its register file and
 * IOTLB, the services other layers call (translator 'vtd', DMA ops 'intel-iommu'), then at
 * t=0 what intel_iommu_init and init_dmars do — the intel_iommu= lines, the DMAR table
 * lines, queued invalidation, domain ids, the root table (RTADDR, SRTP), global context and
 * IOTLB flushes, the fault interrupt, translation enable — and on v5.4 the default domain of
 * every device (intel_iommu_add_device). v5.0 attaches a device at its first DMA API call.
 */
import { pciIommuInitKey } from '../../pci/setup.ts';
import { ratelimitCreate } from '../../core/ratelimit.ts';
import type { Machine } from '../../machine.ts';
import { PRIO } from '../../machine.ts';
import { eventKey } from '../../core/keys.ts';
import { kfunc } from '../../core/kstack.ts';
import { fill } from '../../mem/phys.ts';
import { physAllocOrLimit } from '../../mem/alloc.ts';
import { translatorKey } from '../../devices/port.ts';
import { dmaOpsKey } from '../../dma/api.ts';
import { INTEL_SM_DEFAULT, kernelRelease } from '../../kernel.ts';
import { parseIntelIommu } from './cmdline.ts';
import {
  DMAR_FECTL_REG, DMAR_GCMD_REG, DMAR_IQA_REG, DMAR_IQT_REG, DMAR_PMEN_REG, DMAR_REG_SIZE, DMAR_RTADDR_REG,
  DMAR_VER_REG, DMA_FECTL_IM, DMA_GCMD_QIE, DMA_GCMD_SRTP, DMA_GCMD_TE, DMA_RTADDR_SMT, type DmarHw, cap, composeCap, composeEcap, ecap,
} from './regs.ts';
import { VTD_FAULT_IRQ, dmarWrite32, dmarWrite64, r32 } from './hw.ts';
import { VTD_WALK_MAX, VTD_WALK_SL, vtdIotlbCreate } from './iotlb.ts';
import { flushContext, flushIotlb, flushWriteBuffer } from './flush.ts';
import { QI_LENGTH } from './qi.ts';
import { dmarFault } from './fault.ts';
import { attachDefaultDomain, iommuInitDomains } from './domain.ts';
import { VTD_FQ_TIMEOUT, intelDmaOps, vtdFqTimeout } from './dma-ops.ts';
import { vtdTranslate } from './translate.ts';
import { vtdHotplug } from './hotplug.ts';
import { pciHotplugKey } from '../../devices/hotplug.ts';
import { type VtdDevInfo, type VtdState, type VtdUnitState, VTD_MODEL, vtdState } from './state.ts';

const BOOT = eventKey('vtd.boot');
const F_INTEL_IOMMU_INIT = kfunc('intel_iommu_init', 'drivers/iommu/intel-iommu.c');
const F_INIT_DMARS = kfunc('init_dmars', 'drivers/iommu/intel-iommu.c');
const F_ADD_DEVICE = kfunc('intel_iommu_add_device', 'drivers/iommu/intel-iommu.c');

export interface VtdUnitSetup {
  name: string;
  base: number;
  hw: DmarHw;
  iotlbEntries: number;
  /** DRHD flags: INCLUDE_PCI_ALL (bit 0) for the catch-all unit. */
  includeAll: boolean;
  /** VER_REG major:minor. */
  version: [number, number];
}

export interface VtdSetup {
  /** The option string after intel_iommu= (empty: none given). */
  cmdline: string;
  units: VtdUnitSetup[];
  devices: { dev: string; bus: number; devfn: number; rid: number; unit: number; driver: string }[];
  /** reserved_iova_list as pfn ranges (IOAPIC and every PCI BAR). */
  reserved: [number, number][];
  irqLatencyNs: number;
  /** The ACPI DMAR table's host address width. */
  haw: number;
  /**
   * The PCI model enumerates at boot: intel_iommu_init runs from its boot event, between the
   * enumeration and the drivers' probes (pciIommuInitKey), not from the VT-d boot event.
   */
  afterPciEnumeration: boolean;
}

/** iommu_calculate_agaw / iommu_calculate_max_sagaw: the highest SAGAW agaw at or below the width's. */
function calculateAgaw(sagaw: number, width: number): number {
  for (let agaw = Math.ceil((width - 30) / 9); agaw >= 0; agaw--) if ((sagaw >> agaw) & 1) return agaw;
  return -1;
}

function unitCreate(id: number, a: VtdUnitSetup, smWanted: boolean): VtdUnitState {
  const c = composeCap(a.hw);
  const e = composeEcap(a.hw);
  const regs = new Array<number>(DMAR_REG_SIZE / 4).fill(0);
  regs[DMAR_VER_REG / 4] = (a.version[0] << 4) | a.version[1];
  regs[8 / 4] = Number(c & 0xffff_ffffn);
  regs[12 / 4] = Number(c >> 32n);
  regs[16 / 4] = Number(e & 0xffff_ffffn);
  regs[20 / 4] = Number(e >> 32n);
  regs[DMAR_FECTL_REG / 4] = DMA_FECTL_IM; // the fault event starts masked
  return {
    id,
    name: a.name,
    base: a.base,
    cap: c,
    ecap: e,
    regs,
    rootLatched: 0,
    smtLatched: false,
    frNext: 0,
    // A nesting unit's entries keep the words of both stages (nested.ts).
    iotlb: vtdIotlbCreate(a.iotlbEntries, ecap.nest(e) ? VTD_WALK_MAX : VTD_WALK_SL),
    ctxCache: new Map(),
    pasidCache: new Map(),
    irqPending: false,
    agaw: calculateAgaw(cap.sagaw(c), 57),
    msagaw: calculateAgaw(cap.sagaw(c), 64),
    sm: smWanted && ecap.smts(e),
    rootPa: 0,
    dids: [0],
    didDomain: {},
    qi: null,
    ratelimit: ratelimitCreate(),
    reads: 0,
    writes: 0,
    walks: 0,
    faults: 0,
    reported: 0,
    faultDev: new Array<string>(cap.numFaultRegs(c)).fill(''),
  };
}

/** What intel_iommu= and the kernel's default leave in force. */
export function vtdParams(m: Machine, cmdline: string) {
  return parseIntelIommu(cmdline, m.behaviour(INTEL_SM_DEFAULT) === 'on', kernelRelease(m.config.kernel));
}

export function vtdSetup(m: Machine, a: VtdSetup): VtdState {
  const p = vtdParams(m, a.cmdline);
  const units = a.units.map((u, i) => unitCreate(i, u, p.sm));
  const devs: Record<string, VtdDevInfo> = {};
  for (const d of a.devices) devs[d.dev] = { ...d, domain: -1, pasidTable: null, removed: false };
  const state: VtdState = {
    release: kernelRelease(m.config.kernel),
    cmdline: a.cmdline,
    sm: p.sm,
    strict: p.strict,
    forcedac: p.forcedac,
    superpage: p.superpage,
    hwPassThrough: units.every((u) => ecap.passThrough(u.ecap)),
    units,
    domains: [],
    devs,
    reserved: a.reserved,
    freelists: {},
    nextFreelist: 0,
    irqLatencyNs: a.irqLatencyNs,
    pasidMaxId: 0x100000,
    boot: { haw: a.haw, includeAll: a.units.map((u) => u.includeAll), order: a.devices.map((d) => d.dev) },
  };
  m.addModel(VTD_MODEL, state);
  m.provide(translatorKey('vtd'), vtdTranslate);
  m.provide(dmaOpsKey('intel-iommu'), intelDmaOps(m));
  m.provide(pciHotplugKey('vtd'), vtdHotplug);
  m.on(VTD_FAULT_IRQ, dmarFault);
  m.on(VTD_FQ_TIMEOUT, vtdFqTimeout);
  if (a.afterPciEnumeration) m.provide(pciIommuInitKey, intelIommuInit);
  const boot = m.on(BOOT, a.afterPciEnumeration ? vtdEarlyParams : vtdBoot);
  m.schedule(0, boot, 0, 0, PRIO.kernel);
  return state;
}

const hexs = (n: number | bigint): string => n.toString(16);

/** The boot at t=0 with no PCI model: intel_iommu='s lines, then intel_iommu_init. */
function vtdBoot(m: Machine): void {
  vtdEarlyParams(m);
  intelIommuInit(m);
}

/** intel_iommu_setup's lines: an early_param, printed before anything below runs. */
function vtdEarlyParams(m: Machine): void {
  for (const l of vtdParams(m, vtdState(m).cmdline).lines) m.emit('klog', l);
}

/**
 * intel_iommu_init (the DMAR table parse, init_dmars, then the devices on v5.4). It is
 * pci_iommu_init's x86_init.iommu.iommu_init, a rootfs_initcall: after the PCI enumeration
 * (subsys_initcall, where pci=disable_acs_redir= prints) and before the drivers' probes
 * (device_initcall). No interrupt remapping is modelled, so dmar_table_init runs here first.
 */
function intelIommuInit(m: Machine): void {
  const s = vtdState(m);
  const a = s.boot;
  const info = (text: string) => m.emit('klog', { level: 'info', text });
  const k = m.kstack.enter(F_INTEL_IOMMU_INIT);
  info(`DMAR: Host address width ${a.haw}`);
  s.units.forEach((u, i) => {
    info(`DMAR: DRHD base: 0x${u.base.toString(16).padStart(14, '0')} flags: ${a.includeAll[i] ? '0x1' : '0'}`);
    const ver = r32(u, DMAR_VER_REG);
    info(`DMAR: ${u.name}: reg_base_addr ${hexs(u.base)} ver ${ver >> 4}:${ver & 0xf} cap ${hexs(u.cap)} ecap ${hexs(u.ecap)}`);
  });
  if (vtdParams(m, s.cmdline).disabled) {
    m.kstack.leave(k);
    return;
  }
  info('DMAR: No RMRR found');
  info('DMAR: No ATSR found');
  initDmars(m);
  info('DMAR: Intel(R) Virtualization Technology for Directed I/O');
  m.kstack.leave(k);
  if (s.release === 'v5.4') {
    for (const dev of a.order) {
      const ka = m.kstack.enter(F_ADD_DEVICE);
      attachDefaultDomain(m, s.devs[dev]);
      m.kstack.leave(ka);
    }
  }
}

function initDmars(m: Machine): void {
  const s = vtdState(m);
  const k = m.kstack.enter(F_INIT_DMARS);
  for (const u of s.units) {
    if (u.sm && ecap.pasid(u.ecap)) s.pasidMaxId = Math.min(s.pasidMaxId, 2 << ecap.pss(u.ecap));
    intelIommuInitQi(m, u);
    iommuInitDomains(u);
    // iommu_alloc_root_entry
    u.rootPa = physAllocOrLimit(m.state.alloc, 4096, { align: 4096 }, `${u.name}'s root table`);
    fill(m.state.mem, u.rootPa, 4096, 0);
  }
  for (const u of s.units) {
    flushWriteBuffer(m, u);
    // iommu_set_root_entry: RTADDR (| SMT in scalable mode), then GCMD.SRTP.
    dmarWrite64(m, u, DMAR_RTADDR_REG, BigInt(u.rootPa) | (u.sm ? BigInt(DMA_RTADDR_SMT) : 0n));
    dmarWrite32(m, u, DMAR_GCMD_REG, r32(u, DMAR_GCMD_REG) | DMA_GCMD_SRTP);
    flushContext(m, u, 0, 0, 0, 'global', 'init_dmars');
    flushIotlb(m, u, 0, 0, 0, 'global', 'init_dmars');
  }
  if (s.release === 'v5.0') m.emit('klog', { level: 'info', text: 'DMAR: Setting RMRR:' });
  for (const u of s.units) {
    flushWriteBuffer(m, u);
    // dmar_set_interrupt: request_irq unmasks the fault event (dmar_msi_unmask writes 0).
    dmarWrite32(m, u, DMAR_FECTL_REG, 0);
    // iommu_enable_translation, then iommu_disable_protect_mem_regions.
    dmarWrite32(m, u, DMAR_GCMD_REG, r32(u, DMAR_GCMD_REG) | DMA_GCMD_TE);
    dmarWrite32(m, u, DMAR_PMEN_REG, r32(u, DMAR_PMEN_REG) & ~0x8000_0000);
  }
  m.kstack.leave(k);
}

/**
 * intel_iommu_init_qi: dmar_enable_qi allocates the queue (2 pages of 256-bit descriptors
 * when ECAP.SMTS, else 1 page of 128-bit) and its status words, writes IQT = 0 and
 * IQA = base | DW | QS, and sets GCMD.QIE; without ECAP.QIS the register forms serve.
 */
function intelIommuInitQi(m: Machine, u: VtdUnitState): void {
  if (!ecap.qis(u.ecap)) {
    m.emit('klog', { level: 'info', text: `DMAR: ${u.name}: Using Register based invalidation` });
    return;
  }
  const smts = ecap.smts(u.ecap);
  const bytes = smts ? 8192 : 4096;
  const descPa = physAllocOrLimit(m.state.alloc, bytes, { align: bytes }, `${u.name}'s invalidation queue`);
  fill(m.state.mem, descPa, bytes, 0);
  const statusPa = physAllocOrLimit(m.state.alloc, 4 * QI_LENGTH, { align: 64 }, `${u.name}'s invalidation status words`);
  fill(m.state.mem, statusPa, 4 * QI_LENGTH, 0);
  u.qi = { descPa, shift: smts ? 5 : 4, statusPa, freeHead: 0, freeTail: 0, freeCnt: QI_LENGTH, submits: 0 };
  dmarWrite32(m, u, DMAR_IQT_REG, 0);
  dmarWrite64(m, u, DMAR_IQA_REG, BigInt(descPa) | (smts ? (1n << 11n) | 1n : 0n));
  dmarWrite32(m, u, DMAR_GCMD_REG, r32(u, DMAR_GCMD_REG) | DMA_GCMD_QIE);
  m.emit('klog', { level: 'info', text: `DMAR: ${u.name}: Using Queued invalidation` });
}
