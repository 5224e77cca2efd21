// One device identity on PCI: a host bridge's `iommu` names a VT-d unit or an AMD IOMMU, and
// every function the vtd and amd sections speak of is an endpoint of the topology, under the
// host bridge whose IOMMU the section says. Mistakes come back at their JSON path with what
// to do; a valid file builds with the topology's BARs reserved in the IOVA space.
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/load.ts';
import { Scenario } from '../../src/scenario/schema/index.ts';
import { buildMachine } from '../../src/scenario/build/index.ts';
import { vtdState } from '../../src/sim/iommu/intel/state.ts';
import { amdState } from '../../src/sim/iommu/amd/state.ts';
import { iovaRanges } from '../../src/sim/iommu/iova.ts';
import { DEVICES } from '../../src/sim/devices/device.ts';

const ep = (name: string, extra: Record<string, unknown> = {}) => ({ type: 'endpoint', name, ...extra });
const rp = (children: unknown[]) => ({ type: 'root-port', children });
const bm = (extra: Record<string, unknown> = {}) => ({ kind: 'bus-master', name: 'nic0', ops: [{ op: 'delay', ns: 1 }], ...extra });
const AMD = { iommus: [{ name: 'iommu0', devid: '00:00.2' }] };

/** One Haswell-E host bridge, a root port, nic0 at 01:00.0 with a 1 MiB BAR 0 at 0xe0000000. */
function scenario(extra: Record<string, unknown>, bridge: Record<string, unknown>, devices: unknown[]): Record<string, unknown> {
  return {
    version: 1, name: 't', description: 'test',
    memory: { dram: [{ base: '0x80000000', size: '64M' }], buffers: [{ name: 'b', size: '64K' }] },
    pci: { hostBridges: [{ vendor: '0x8086', device: '0x2f00', window: { cpu: '0xe0000000', size: '256M' }, children: [rp([ep('nic0', { bars: [{ bar: 0, size: '1M' }] })])], ...bridge }] },
    devices,
    ...extra,
  };
}

function problems(s: Record<string, unknown>): string[] {
  const r = parseScenarioText(JSON.stringify(s), 'x.json');
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
}

describe('a host bridge\'s iommu', () => {
  it('names a unit of the vtd or amd section; a typo gets did-you-mean', () => {
    expect(problems(scenario({ vtd: { units: [{ name: 'dmar0' }] } }, { iommu: 'dmr0' }, []))).toEqual(['pci.hostBridges[0].iommu: no IOMMU named "dmr0" (did you mean "dmar0"?)']);
  });

  it('true needs exactly one IOMMU section', () => {
    expect(problems(scenario({}, { iommu: true }, []))).toEqual([
      'pci.hostBridges[0].iommu: an IOMMU needs its driver\'s section (add "vtd": {} (Intel VT-d) or "amd": {} (AMD-Vi) to the scenario)',
    ]);
    expect(problems(scenario({ vtd: {}, amd: AMD }, { iommu: true }, []))[0]).toBe(
      'pci.hostBridges[0].iommu: true is ambiguous: the scenario has a vtd and an amd section (name the unit: dmar0, iommu0)',
    );
  });

  it('a valid VT-d or AMD host bridge builds', () => {
    expect(problems(scenario({ vtd: { units: [{ name: 'dmar0' }] } }, { iommu: 'dmar0' }, [bm({ bdf: '01:00.0' })]))).toEqual([]);
    expect(problems(scenario({ amd: AMD }, { iommu: 'iommu0' }, [bm({ bdf: '01:00.0' })]))).toEqual([]);
  });
});

describe('functions the vtd and amd sections name', () => {
  it('an amd.devices bdf must be an endpoint of the topology', () => {
    const s = scenario({ amd: { ...AMD, devices: [{ dev: 'nic0', bdf: '05:00.0' }] } }, { iommu: 'iommu0' }, [bm()]);
    expect(problems(s)).toEqual(['amd.devices[0].bdf: no PCI function 05:00.0 in the pci section (endpoints: 0000:01:00.0 (nic0))']);
  });

  it('an amd.devices function must sit under a host bridge whose IOMMU is AMD\'s', () => {
    const s = scenario({ vtd: { units: [{ name: 'dmar0' }] }, amd: { ...AMD, devices: [{ dev: 'nic0', bdf: '01:00.0' }] } }, { iommu: 'dmar0' }, [bm()]);
    expect(problems(s)).toEqual(['amd.devices[0].bdf: 01:00.0 is under host bridge pci0000:00, which has VT-d unit dmar0 (name an AMD IOMMU in pci.hostBridges[0].iommu)']);
  });

  it('an AMD IOMMU is a function on the root bus of the bridge it serves', () => {
    const s = scenario({ amd: { iommus: [{ name: 'iommu0', devid: '40:00.2' }] } }, { iommu: 'iommu0' }, [bm({ bdf: '01:00.0' })]);
    expect(problems(s)).toEqual(['amd.iommus[0].devid: iommu0 serves host bridge pci0000:00 but sits on bus 40 (the IOMMU is a function on its root bus: "0000:00:00.2")']);
  });

  it('amd.barWindows is refused with a pci section: the BARs come from the topology', () => {
    const s = scenario({ amd: { ...AMD, barWindows: [{ start: '0xe0000000', size: '1M' }] } }, { iommu: 'iommu0' }, [bm({ bdf: '01:00.0' })]);
    expect(problems(s)).toEqual(['amd.barWindows: with a pci section the reserved PCI ranges are its BARs (remove barWindows; declare the BARs on the endpoints)']);
  });

  it('a VT-d bus-master\'s bdf must be in the topology, and a scope entry a PCI function', () => {
    expect(problems(scenario({ vtd: { units: [{ name: 'dmar0' }] } }, { iommu: 'dmar0' }, [bm({ bdf: '07:00.0' })]))).toEqual([
      'devices[0].bdf: no PCI function 07:00.0 in the pci section (functions: nic0)',
    ]);
    const eng = { kind: 'bus-master', name: 'eng', ops: [{ op: 'delay', ns: 1 }] };
    const s = scenario({ vtd: { units: [{ name: 'dmar0', scope: ['eng'] }, { name: 'dmar1' }] } }, { iommu: 'dmar1' }, [bm({ bdf: '01:00.0' }), eng]);
    expect(problems(s)).toEqual(['vtd.units[0].scope[0]: "eng" is not a function of the pci section (only PCI functions sit behind a DMAR unit: give it a bdf of the topology)']);
  });
});

describe('the build', () => {
  const BAR_PFNS = [0xe0000, 0xe00ff]; // BAR 0 of nic0: 0xe0000000 + 1 MiB, first fit in the window

  it('VT-d: the device joins its host bridge\'s unit by its topology address; every BAR is in reserved_iova_list', () => {
    const { machine: m } = buildMachine(Scenario.parse(scenario({ vtd: { units: [{ name: 'dmar0' }] } }, { iommu: 'dmar0' }, [bm({ bdf: '01:00.0' })])));
    // dmar_init_reserved_ranges: the IOAPIC window, then each memory resource of for_each_pci_dev.
    expect(vtdState(m).reserved).toContainEqual(BAR_PFNS);
    const d = m.model(DEVICES).list[0];
    expect([d.dmaOps, d.translator, d.pciName]).toEqual(['intel-iommu', 'vtd', '0000:01:00.0']);
  });

  it('AMD: a device under the bridge joins its IOMMU unlisted; init_reserved_iova_ranges takes the BARs', () => {
    const { machine: m } = buildMachine(Scenario.parse(scenario({ amd: AMD }, { iommu: 'iommu0' }, [bm({ bdf: '01:00.0' })])));
    const st = amdState(m);
    expect(st.devs.map((x) => [x.name, x.devid, x.iommu])).toEqual([['nic0', 0x0100, 0]]);
    expect(iovaRanges(st.reserved).some((r) => r.lo === BAR_PFNS[0] && r.hi === BAR_PFNS[1])).toBe(true);
    expect(m.model(DEVICES).list[0].pciName).toBe('0000:01:00.0');
  });
});
