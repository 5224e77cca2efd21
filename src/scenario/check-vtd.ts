/**
 * Checks of the `vtd` section and the PCI functions behind it: unique bdfs, scopes naming
 * real devices with a bdf, one catch-all unit at most (the last), a requester id only where
 * a unit translates, BARs outside DRAM, hot-plug ops only on translated devices.
 */
import { parseBdf, pciDevid } from '../sim/pci/bdf.ts';
import type { ScenarioOut } from './schema/index.ts';
import type { ScenarioProblem } from './problems.ts';
import { closest } from './suggest.ts';
import { pciPlan } from './build/pci-topology.ts';
import { vtdTranslates } from './build/vtd.ts';

export function checkVtd(s: ScenarioOut, file: string): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  const seen = new Map<number, string>();
  const names = new Map(s.devices.map((d) => [d.name, d]));
  const plan = pciPlan(s);
  s.devices.forEach((d, i) => {
    if (d.kind !== 'bus-master') return;
    const at = `devices[${i}]`;
    if (d.bdf !== undefined) {
      const id = pciDevid(parseBdf(d.bdf)!);
      if (seen.has(id)) out.push({ file, path: `${at}.bdf`, message: `${d.bdf} is also ${seen.get(id)}'s PCI function` });
      seen.set(id, d.name);
    }
    if (d.bar) {
      const inDram = s.memory.dram.some((r) => d.bar!.addr < r.base + r.size && d.bar!.addr + d.bar!.size > r.base);
      if (inDram) out.push({ file, path: `${at}.bar.addr`, message: 'a BAR is MMIO: it must lie outside every DRAM range', hint: 'e.g. "0xfb000000" below 4 GiB above DRAM' });
    }
    const translated = s.vtd !== undefined && (plan ? vtdTranslates(s, d.name, plan) : d.bdf !== undefined);
    const how = plan ? 'put its function under a host bridge whose "iommu" is a VT-d unit' : 'give the device a "bdf" and the scenario a "vtd" section';
    if (d.requester !== undefined && !translated) out.push({ file, path: `${at}.requester`, message: 'a requester id only matters behind a VT-d unit', hint: how });
    d.ops.forEach((op, j) => {
      if ((op.op === 'pci-remove' || op.op === 'pci-rescan') && !translated) {
        out.push({ file, path: `${at}.ops[${j}]`, message: `${op.op} needs the device behind a VT-d unit`, hint: how });
      }
    });
  });
  if (!s.vtd) return out;
  const units = s.vtd.units;
  const catchAll = units.map((u, i) => ({ u, i })).filter((x) => x.u.scope === undefined);
  if (catchAll.length > 1) out.push({ file, path: `vtd.units[${catchAll[1].i}]`, message: 'only one unit may take every unlisted device (INCLUDE_PCI_ALL)', hint: 'give the other units a "scope"' });
  else if (catchAll.length === 1 && catchAll[0].i !== units.length - 1) {
    out.push({ file, path: `vtd.units[${catchAll[0].i}]`, message: 'the INCLUDE_PCI_ALL unit (no "scope") must be the last one, as the DMAR table lists it', hint: 'move it to the end' });
  }
  const claimed = new Map<string, number>();
  units.forEach((u, i) => {
    const lv = new Set(u.levels);
    const widest = Math.max(...u.levels) === 5 ? 57 : Math.max(...u.levels) === 4 ? 48 : 39;
    if (u.mgaw > widest) out.push({ file, path: `vtd.units[${i}].mgaw`, message: `MGAW ${u.mgaw} is wider than the deepest table the unit walks (${widest} bits)`, hint: `add level ${widest === 39 ? 4 : 5} or lower mgaw` });
    if (lv.size !== u.levels.length) out.push({ file, path: `vtd.units[${i}].levels`, message: 'a level is listed twice' });
    if (u.smpwc && !u.smts) out.push({ file, path: `vtd.units[${i}].smpwc`, message: 'SMPWC is a scalable-mode capability', hint: 'set smts too' });
    u.scope?.forEach((name, j) => {
      const d = names.get(name);
      if (!d) {
        const near = closest(name, [...names.keys()]);
        out.push({ file, path: `vtd.units[${i}].scope[${j}]`, message: `no device named "${name}"`, hint: near ? `did you mean "${near}"?` : 'name a bus-master with a "bdf"' });
      } else if (!plan && (d.kind !== 'bus-master' || d.bdf === undefined)) out.push({ file, path: `vtd.units[${i}].scope[${j}]`, message: `"${name}" has no "bdf"`, hint: 'only PCI functions sit behind a DMAR unit' });
      else if (claimed.has(name)) out.push({ file, path: `vtd.units[${i}].scope[${j}]`, message: `"${name}" is already in vtd.units[${claimed.get(name)}].scope` });
      claimed.set(name, i);
    });
  });
  if (!catchAll.length && !plan) {
    s.devices.forEach((d, i) => {
      if (d.kind === 'bus-master' && d.bdf !== undefined && !claimed.has(d.name)) {
        out.push({ file, path: `devices[${i}].bdf`, message: `no DMAR unit's scope has "${d.name}"`, hint: 'list it in a unit\'s "scope" or leave the last unit without one' });
      }
    });
  }
  return out;
}
