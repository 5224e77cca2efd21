/**
 * The topology at boot: the enumerated functions become the PCI model; every function gets
 * pci_enable_acs as it is added (drivers/pci/pci.c: when an IOMMU driver called
 * pci_request_acs, the ACS control word gains SV|RR|CR|UF of what the port supports; then
 * pci=disable_acs_redir= clears RR|CR|EC on the functions it names); and drivers that
 * expose BAR memory add and publish it. A host bridge's IOMMU is the VT-d or AMD model's
 * (route.ts calls its translator; the devices below map through its DMA ops).
 */
import type { Machine } from '../machine.ts';
import { PRIO } from '../machine.ts';
import { eventKey, serviceKey } from '../core/keys.ts';
import { type Bdf, parseBdf } from './bdf.ts';
import type { Enumerated } from './enumerate.ts';
import { pciLog } from './log.ts';
import { pciP2pdmaAddResource, pciP2pmemPublish } from './p2pdma.ts';
import { ACS_KERNEL_ENABLES, ACS_REDIR_BITS } from './regs.ts';
import { PCI_MODEL, type PciFn, type PciState } from './types.ts';

export interface P2pmemProbe {
  readonly fn: number;
  readonly bar: number;
  readonly size: number;
  readonly offset: number;
  readonly publish: boolean;
}

/** The entries of pci=disable_acs_redir= ("0000:02:01.0;0000:02:02.0"), or undefined where one does not parse. */
export function parseAcsRedirParam(s: string): (Bdf | undefined)[] {
  return s.split(/[;,]/).filter((x) => x.length > 0).map(parseBdf);
}

const matches = (f: PciFn, b: Bdf): boolean => f.segment === b.segment && f.bus === b.bus && f.devfn === ((b.dev << 3) | b.fn);

/**
 * pci_iommu_init's IOMMU init (x86_init.iommu.iommu_init), provided by an IOMMU driver built
 * before the PCI model (VT-d): the PCI boot runs it between the enumeration and the probes.
 */
export const pciIommuInitKey = serviceKey<(m: Machine) => void>('pci.iommu-init');

const PCI_BOOT = eventKey('pci.boot');
const PCI_PROBE = eventKey('pci.probe');

/**
 * The model at build; what the kernel prints and the drivers' probes happen at t = 0 (before
 * any process or device), so the records are stepped through like any other. One event does
 * both, with the init of an IOMMU driver that provides pciIommuInitKey (VT-d) between them,
 * as pci_iommu_init (rootfs_initcall) runs between the enumeration (subsys_initcall) and the
 * drivers' probes (device_initcall); unless `deferProbe`: an IOMMU driver built later (AMD)
 * initialises from its own event and its build step calls pciScheduleProbe after it.
 */
export function pciSetup(m: Machine, en: Enumerated, opts: { acsRequested: boolean; disableAcsRedir?: string; p2pmem: readonly P2pmemProbe[]; deferProbe?: boolean }): PciState {
  const st: PciState = {
    hosts: en.hosts, fns: en.fns, allocs: [], prng: m.forkPrng(), warned: [],
    boot: { acsRequested: opts.acsRequested, disableAcsRedir: opts.disableAcsRedir ?? '', p2pmem: [...opts.p2pmem] },
  };
  m.addModel(PCI_MODEL, st);
  m.on(PCI_BOOT, opts.deferProbe ? pciEnumerateInit : pciBoot);
  m.on(PCI_PROBE, pciProbe);
  m.schedule(0, m.typeOf(PCI_BOOT), 0, 0, PRIO.kernel);
  return st;
}

/** The drivers' probes at t = 0, after what was scheduled so far (see pciSetup's deferProbe). */
export function pciScheduleProbe(m: Machine): void {
  m.schedule(0, m.typeOf(PCI_PROBE), 0, 0, PRIO.kernel);
}

function pciBoot(m: Machine): void {
  pciEnumerateInit(m);
  pciProbe(m);
}

/** The enumeration, then the init of an IOMMU driver built before the PCI model. */
function pciEnumerateInit(m: Machine): void {
  pciEnumerate(m);
  if (m.hasService(pciIommuInitKey)) m.service(pciIommuInitKey)(m);
}

/** pci_enable_acs for every function as it is added. */
function pciEnumerate(m: Machine): void {
  const st = m.model(PCI_MODEL);
  const acsRequested = st.boot.acsRequested;
  const redir = parseAcsRedirParam(st.boot.disableAcsRedir).filter((b): b is Bdf => b !== undefined);
  for (const f of st.fns) {
    // pci_enable_acs -> pci_std_enable_acs, then pci_disable_acs_redir.
    if (acsRequested && f.acsCap !== null) f.acsCtrl |= f.acsCap & ACS_KERNEL_ENABLES;
    if (!redir.some((b) => matches(f, b))) continue;
    if (f.acsCap === null) {
      pciLog(m, 'warning', f, 'cannot disable ACS redirect for this hardware as it does not have ACS capabilities');
      continue;
    }
    f.acsCtrl &= ~ACS_REDIR_BITS;
    pciLog(m, 'info', f, 'disabled ACS redirect');
  }
}

/** The drivers that expose BAR memory add and publish it (pci_p2pdma_add_resource, pci_p2pmem_publish). */
function pciProbe(m: Machine): void {
  const st = m.model(PCI_MODEL);
  for (const p of st.boot.p2pmem) {
    const f = st.fns[p.fn];
    if (pciP2pdmaAddResource(m, f, p.bar, p.size, p.offset) === 0 && p.publish) pciP2pmemPublish(m, f, true);
  }
}
