/**
 * Build the `vsva` section: the host's and each guest's IOASID frameworks, the virtual-command
 * allocator's helpers, the assigned devices and the guest timeline (src/sim/iommu/intel/vsva.ts).
 * The section is a what-if: it needs the `ioasid` row at "present" and, for passed-down
 * invalidations, `vsva-uapi` at "v5.8" or "v5.10" (scenario overrides or --override).
 */
import { ScenarioError, type ScenarioProblem } from '../problems.ts';
import { IOASID, VSVA_UAPI } from '../../sim/kernel.ts';
import { ioasidAddSpace } from '../../sim/iommu/ioasid.ts';
import { provideVcmdAllocator } from '../../sim/iommu/intel/vcmd.ts';
import { type VsvaPlanOp, type VsvaState, vsvaSetup } from '../../sim/iommu/intel/vsva.ts';
import { VTD_MODEL } from '../../sim/iommu/intel/state.ts';
import { ecap } from '../../sim/iommu/intel/regs.ts';
import type { BuildStep } from './context.ts';

export const buildVsva: BuildStep = ({ m, s, file }) => {
  const v = s.vsva;
  if (!v) return;
  const problems: ScenarioProblem[] = [];
  const bad = (path: string, message: string, hint?: string) => problems.push({ file, path, message, hint });
  if (m.behaviour(IOASID) === 'absent') {
    bad('vsva', `guests with shared virtual addressing need the IOASID framework, which ${m.config.kernel} does not have`, 'a what-if: add "overrides": { "ioasid": "present" } or run with --override ioasid=present');
  }
  const guests = new Set(v.guests.map((g) => g.name));
  const inDram = (pa: number, size: number) => s.memory.dram.some((d) => pa >= d.base && pa + size <= d.base + d.size);
  v.guests.forEach((g, i) => {
    if (g.name === 'host') bad(`vsva.guests[${i}].name`, '"host" names the host\'s IOASID framework', 'pick another guest name');
    if (!inDram(g.ram.hpa, g.ram.size)) bad(`vsva.guests[${i}].ram`, `guest RAM [0x${g.ram.hpa.toString(16)}, +0x${g.ram.size.toString(16)}) is not inside memory.dram`, 'move ram.hpa into a DRAM range or enlarge memory.dram');
    if (g.ram.size % 4096 || g.ram.size < 0x10000) bad(`vsva.guests[${i}].ram.size`, 'guest RAM must be whole pages, at least 64 KiB', 'e.g. "16M"');
  });
  const devs = new Map(v.devices.map((d) => [d.name, d]));
  v.devices.forEach((d, i) => {
    if (!guests.has(d.guest)) bad(`vsva.devices[${i}].guest`, `no guest "${d.guest}" in vsva.guests`);
  });
  v.ops.forEach((o, i) => {
    const at = `vsva.ops[${i}]`;
    if ('kernel' in o && o.kernel !== 'host' && !guests.has(o.kernel)) bad(`${at}.kernel`, `no guest "${o.kernel}" (and it is not "host")`);
    if ('guest' in o) {
      if (!guests.has(o.guest)) bad(`${at}.guest`, `no guest "${o.guest}" in vsva.guests`);
      const g = v.guests.find((x) => x.name === o.guest);
      if (g && o.unit !== undefined && !g.units.includes(o.unit)) bad(`${at}.unit`, `guest "${o.guest}" has no vIOMMU unit "${o.unit}"`, `its units: ${g.units.join(', ')}`);
    }
    if ('dev' in o && !devs.has(o.dev)) bad(`${at}.dev`, `no device "${o.dev}" in vsva.devices`);
    if ('va' in o && o.va % 4096 && o.op !== 'dma') bad(`${at}.va`, 'first-stage PTEs map whole 4 KiB pages: va must be page aligned');
    if (o.op === 'guest-map') {
      const g = v.guests.find((x) => x.name === devs.get(o.dev)?.guest);
      if (o.gpa % 4096) bad(`${at}.gpa`, 'gpa must be page aligned');
      else if (g && o.gpa >= g.ram.size) bad(`${at}.gpa`, `gpa 0x${o.gpa.toString(16)} is outside guest "${g.name}"'s RAM (0x${g.ram.size.toString(16)} bytes)`);
    }
    if ((o.op === 'ioasid-alloc' || o.op === 'ioasid-free') && o.vmmStatus !== undefined && o.kernel === 'host') {
      bad(`${at}.vmmStatus`, 'the host answers virtual commands; its own ioasid_alloc/free send none', 'put vmmStatus on a guest\'s op');
    }
    if (o.op === 'cache-invalidate' && o.argsz !== undefined && m.behaviour(VSVA_UAPI) === 'v5.8') {
      bad(`${at}.argsz`, 'v5.8\'s struct iommu_cache_invalidate_info has no argsz (v5.10 added it)', 'drop argsz, or run with --override vsva-uapi=v5.10');
    }
    if (o.op === 'ioasid-get' && m.behaviour(IOASID) !== 'refcounted') {
      bad(at, 'ioasid_get is not in the ioasid.c generation selected (the void ioasid_free() one)', 'a what-if: add "overrides": { "ioasid": "refcounted" } (v5.11), or --override ioasid=refcounted');
    }
    if (o.op === 'cache-invalidate' && m.behaviour(VSVA_UAPI) === 'absent') {
      bad(at, `iommu_cache_invalidate_info does not exist in ${m.config.kernel}`, 'a what-if: add "overrides": { "vsva-uapi": "v5.8" } (or "v5.10"), or --override vsva-uapi=v5.8');
    }
  });
  // Assigned devices sit behind a DMAR unit that can nest (scalable mode, PASID, ECAP.NEST).
  const vtd = m.findModel(VTD_MODEL);
  const unitOf = new Map<string, number>();
  if (v.devices.length && !vtd) bad('vsva.devices', 'assigned devices need the host\'s DMAR unit: the scenario has no vtd section', 'add "vtd": { "cmdline": "on,sm_on", "units": [{ "smts": true, "pasid": true, "nest": true, "superpages": ["2M"] }] }');
  else if (vtd) {
    if (v.devices.length && !vtd.sm) bad('vtd.cmdline', 'nested translation needs scalable mode, which is off', 'add sm_on to vtd.cmdline (e.g. "on,sm_on")');
    v.devices.forEach((d, i) => {
      const at = `vsva.devices[${i}]`;
      const ui = d.unit === undefined ? vtd.units.length - 1 : vtd.units.findIndex((u) => u.name === d.unit);
      if (ui < 0) return bad(`${at}.unit`, `no DMAR unit "${d.unit}" in the vtd section`, `its units: ${vtd.units.map((u) => u.name).join(', ')}`);
      const u = vtd.units[ui];
      if (!ecap.smts(u.ecap) || !ecap.pasid(u.ecap) || !ecap.nest(u.ecap)) bad(`${at}.unit`, `${u.name} cannot nest (it needs smts, pasid and nest in vtd.units[${ui}])`, `set "smts": true, "pasid": true, "nest": true on vtd.units[${ui}]`);
      if (vtd.devs[d.name]) bad(`${at}.name`, `"${d.name}" is already a device behind ${vtd.units[vtd.devs[d.name].unit].name}`, 'give the assigned function its own name');
      if (Object.values(vtd.devs).some((x) => x.rid === d.devid && x.unit === ui)) bad(`${at}.devid`, `requester id 0x${d.devid.toString(16)} is another device's on ${u.name}`, 'pick a free bus/devfn');
      unitOf.set(d.name, ui);
    });
  }
  if (problems.length) throw new ScenarioError(problems);
  for (const d of v.devices) {
    vtd!.devs[d.name] = { dev: d.name, bus: d.devid >> 8, devfn: d.devid & 0xff, rid: d.devid, unit: unitOf.get(d.name)!, driver: 'vfio-pci', domain: -1, pasidTable: null, removed: false };
  }
  ioasidAddSpace(m, 'host');
  for (const g of v.guests) ioasidAddSpace(m, g.name);
  provideVcmdAllocator(m);
  const st: VsvaState = {
    guests: v.guests.map((g) => ({ name: g.name, ramHpa: g.ram.hpa, ramSize: g.ram.size, units: [...g.units], vcmdLatencyNs: g.vcmdLatency, vcmdBusyUntil: 0, nextTableGpa: g.ram.size - 4096 })),
    devices: v.devices.map(({ unit: _u, ...d }) => ({ ...d, unit: unitOf.get(d.name)!, did: 0, pasid: -1, pml4Gpa: -1, atc: [] })),
    plan: v.ops.map(({ at: _at, ...o }) => structuredClone(o) as VsvaPlanOp),
  };
  vsvaSetup(m, st, v.ops.map((o) => o.at));
};
