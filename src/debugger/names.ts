/**
 * The names a scenario gives things records refer to: devices, IOMMU domains, IOMMU
 * instances, larbs, mmu cells. Breakpoints, watchpoints and filters check `dev=`, `domain=`,
 * `iommu=`, `larb=`, `mmu=` against them, so `break fault dev=nosuch` is an error instead of
 * a breakpoint that never stops. Each model adds a source; a field no source knows (or
 * whose names are not known yet, e.g. domains a driver allocates at probe) is not checked.
 */
import type { Machine } from '../sim/machine.ts';
import { DEVICES } from '../sim/devices/device.ts';
import { IOMMU_MODEL } from '../sim/iommu/types.ts';
import { MTK_DRIVER, MTK_MODEL } from '../sim/iommu/mtk/state.ts';
import { mtkPgtableCfg } from '../sim/iommu/mtk/probe.ts';
import { SMI_MODEL } from '../sim/smi/state.ts';
import { VTD_MODEL } from '../sim/iommu/intel/state.ts';
import { M4U_PORT_NAMES } from '../sim/iommu/mtk/ports.ts';

/** The record fields whose values are names of scenario things. */
export const NAME_FIELDS = { dev: 'device', domain: 'IOMMU domain', iommu: 'IOMMU', larb: 'larb', mmu: 'mmu cell' } as const;
export type NameField = keyof typeof NAME_FIELDS;

type Names = Partial<Record<NameField, readonly string[]>>;
type NameSource = (m: Machine) => Names;

const SOURCES: NameSource[] = [];

/** Add a model's names (at module load, like the inspectors). */
export function registerNames(source: NameSource): void {
  SOURCES.push(source);
}

/** An M4U port by its dt-binding name, and the scenario devices sitting on it. */
export interface NamedPort {
  readonly larb: number;
  readonly port: number;
  readonly devs: readonly string[];
}

/** What `FIELD=VALUE` may name in this machine: undefined when it cannot be told. */
export interface ScenarioNames {
  known(field: string): readonly string[] | undefined;
  /** `port=M4U_PORT_...`: the port of that name on this SoC (absent without an M4U). */
  readonly m4uPort?: (name: string) => NamedPort | undefined;
  /** Every port name of this SoC, for did-you-mean. */
  readonly m4uPortNames?: readonly string[];
  /** Register blocks (`watch reg BLOCK REG`): the M4U instances. */
  readonly regBlocks?: readonly string[];
  /** VT-d DMAR units (`watch reg dmar0 FSTS`). */
  readonly dmarBlocks?: readonly string[];
  /** The M4U a device's larb is bound to (its faults latch there). */
  readonly blockOfDev?: (dev: string) => string | undefined;
}

/** The names in a machine now (sources merged; a field none of them lists is unknown). */
export function scenarioNames(m: Machine): ScenarioNames {
  const merged = new Map<string, Set<string>>();
  for (const src of SOURCES) {
    for (const [f, list] of Object.entries(src(m))) {
      if (!list) continue;
      let set = merged.get(f);
      if (!set) merged.set(f, (set = new Set()));
      for (const n of list) set.add(n);
    }
  }
  const known = (field: string) => (merged.has(field) ? [...merged.get(field)!] : undefined);
  const mtk = m.findModel(MTK_MODEL);
  const vtd = m.findModel(VTD_MODEL);
  if (!mtk) return vtd ? { known, dmarBlocks: vtd.units.map((u) => u.name) } : { known };
  const table = M4U_PORT_NAMES[mtk.soc];
  const devs = m.findModel(DEVICES)?.list ?? [];
  const m4uPort = (name: string): NamedPort | undefined => {
    for (let larb = 0; larb < table.length; larb++) {
      const port = table[larb].indexOf(name);
      if (port >= 0) return { larb, port, devs: devs.filter((d) => (d as { larb?: number }).larb === larb && (d as { port?: number }).port === port).map((d) => d.name) };
    }
    return undefined;
  };
  const blockOfDev = (dev: string): string | undefined => {
    const larb = (devs.find((d) => d.name === dev) as { larb?: number } | undefined)?.larb;
    return larb === undefined ? undefined : mtk.m4u[mtk.larbM4u[larb] ?? -1]?.name;
  };
  return { known, m4uPort, m4uPortNames: table.flat(), regBlocks: mtk.m4u.map((i) => i.name), blockOfDev };
}

// Devices: every built scenario has the list (maybe empty).
registerNames((m) => {
  const d = m.findModel(DEVICES);
  return d ? { dev: d.list.map((x) => x.name) } : {};
});

// IOMMU domains: the core's, once allocated. A scenario without an IOMMU has none; one with
// an IOMMU whose driver has not allocated any yet is not checked (unless a driver says).
registerNames((m) => {
  const core = m.findModel(IOMMU_MODEL);
  if (!core) return { domain: [] };
  return core.domains.length ? { domain: core.domains.map((d) => d.name) } : {};
});

// MediaTek: the one domain the probe allocates, the M4U instances, the larbs, mmu0/mmu1.
registerNames((m) => {
  const s = m.findModel(MTK_MODEL);
  if (!s) return {};
  const smi = m.findModel(SMI_MODEL);
  return {
    domain: [mtkPgtableCfg(m, s.enable4GB).domain],
    iommu: [MTK_DRIVER, ...s.m4u.map((i) => i.name)], // domain records name the driver
    mmu: ['mmu0', 'mmu1'],
    ...(smi ? { larb: smi.larbs.map((l) => String(l.id)) } : {}),
  };
});
