/**
 * SMI power flow (drivers/memory/mtk-smi.c, v5.4: mtk_smi_larb_get/put,
 * mtk_smi_larb_resume/suspend, mtk_smi_common_resume/suspend). A larb get takes a
 * runtime-PM reference; the first one resumes smi-common (its clocks, then SMI_BUS_SEL on
 * gen2 when bus_sel != 0), enables the larb clocks and runs config_port. The last put
 * reverses it. v5.0 enabled clocks and ran config_port directly in mtk_smi_larb_get (no
 * runtime-PM callbacks, no bus_sel); the visible sequence is the same apart from bus_sel.
 */
import type { Machine } from '../machine.ts';
import type { FieldsFor } from '../trace-kinds.ts';
import { F_MMU_EN, SMI_BUS_SEL, SMI_LARB_MMU_EN, SMI_LARB_NONSEC_CON, SMI_PLATS, busSelCell } from './plat.ts';
import { type SmiLarbState, type SmiState, smiState } from './state.ts';
import { MTK_DRIVER_GEN } from '../kernel.ts';

/** Larb clocks in enable order; mt8183 larbs may add an optional "gals" (taken as present). */
const larbClockNames = (m: Machine): string[] => (SMI_PLATS[smiState(m).soc].hasGals ? ['apb', 'smi', 'gals'] : ['apb', 'smi']);

function powerRecord(m: Machine, block: string, op: FieldsFor<'larb-power'>['op'], refcount: number, clocks: string[]): void {
  m.emit('larb-power', { block, op, refcount, power: clocks.length ? 'on' : 'off', clocks: clocks.join(',') || '-' });
}

/** mtk_smi_common_resume: clocks apb, smi, gals0, gals1, then SMI_BUS_SEL (gen2, != 0). */
function commonGet(m: Machine): void {
  const s = smiState(m);
  const plat = SMI_PLATS[s.soc];
  if (s.common.refcount++ > 0) return;
  s.common.clocks = plat.hasGals ? ['apb', 'smi', 'gals0', 'gals1'] : ['apb', 'smi'];
  powerRecord(m, 'common', 'resume', s.common.refcount, s.common.clocks);
  if (plat.busSel !== 0 && m.behaviour(MTK_DRIVER_GEN) === 'mt8183-series') {
    s.common.busSel = plat.busSel;
    m.emit('bus-sel', {
      reg: 'SMI_BUS_SEL',
      off: SMI_BUS_SEL,
      value: plat.busSel,
      routes: s.larbs.map((l) => ({ larb: l.id, mmu: busSelCell(plat.busSel, l.id) })),
    });
  }
}

function commonPut(m: Machine): void {
  const s = smiState(m);
  if (--s.common.refcount > 0) return;
  s.common.clocks = [];
  s.common.busSel = 0; // the register resets with the power domain
  powerRecord(m, 'common', 'suspend', 0, []);
}

/** config_port: mt8173 writes the mask to SMI_LARB_MMU_EN; gen2 RMWs NONSEC_CON(i) |= F_MMU_EN. */
export function smiLarbConfigPort(m: Machine, larb: SmiLarbState): void {
  if (larb.direct) return; // BIT(larbid) & larb_direct_to_common_mask: nothing to program
  const block = `larb${larb.id}`;
  if (SMI_PLATS[smiState(m).soc].configPort === 'mmu-en') {
    larb.mmuEn = larb.mmu >>> 0;
    if (m.quiet.reg) m.skip();
    else m.emit('reg', { block, op: 'write', reg: 'SMI_LARB_MMU_EN', off: SMI_LARB_MMU_EN, val: larb.mmu });
    return;
  }
  for (let i = 0; i < larb.ports; i++) {
    if (!(larb.mmu & (1 << i))) continue;
    const off = SMI_LARB_NONSEC_CON(i);
    const val = (larb.nonsecCon[i] | F_MMU_EN) >>> 0;
    larb.nonsecCon[i] = val;
    if (m.quiet.reg) m.skip();
    else m.emit('reg', { block, op: 'write', reg: `SMI_LARB_NONSEC_CON(${i})`, off, val });
  }
}

/** mtk_smi_larb_get: pm_runtime_get_sync(larb); the first reference resumes it. */
export function mtkSmiLarbGet(m: Machine, id: number): void {
  const larb = smiState(m).larbs[id];
  if (larb.refcount++ > 0) {
    powerRecord(m, `larb${id}`, 'get', larb.refcount, larb.clocks);
    return;
  }
  commonGet(m);
  larb.clocks = larb.direct ? [] : larbClockNames(m);
  powerRecord(m, `larb${id}`, 'resume', larb.refcount, larb.direct ? ['(common)'] : larb.clocks);
  smiLarbConfigPort(m, larb);
}

/** mtk_smi_larb_put: the last reference suspends the larb (registers are lost) and common. */
export function mtkSmiLarbPut(m: Machine, id: number): void {
  const larb = smiState(m).larbs[id];
  if (larb.refcount === 0) {
    m.emit('larb-power', { block: `larb${id}`, op: 'put', refcount: -1, power: 'off', clocks: '-', error: 'unbalanced put' });
    return;
  }
  if (--larb.refcount > 0) {
    powerRecord(m, `larb${id}`, 'put', larb.refcount, larb.clocks);
    return;
  }
  larb.clocks = [];
  larb.nonsecCon.fill(0);
  larb.mmuEn = 0;
  powerRecord(m, `larb${id}`, 'suspend', 0, []);
  commonPut(m);
}

/**
 * Can the larb issue DMA now? Its clocks (or, for a direct larb, smi-common's) must be on.
 * Modelling choice: a larb in larb_direct_to_common_mask (mt8183 IPU0, IPU1, CCU) has no
 * clocks of its own here and lives on smi-common's power; the kernel only skips its
 * config_port, so a DT that gives such a larb clocks would also gate them.
 */
export function smiLarbPowered(m: Machine, larb: SmiLarbState): boolean {
  return smiLarbPoweredIn(smiState(m), larb);
}

/** smiLarbPowered with the SMI state at hand (the M4U's bus path, on every access). */
export function smiLarbPoweredIn(smi: SmiState, larb: SmiLarbState): boolean {
  if (larb.refcount === 0) return false;
  return larb.direct ? smi.common.clocks.length > 0 : larb.clocks.length > 0;
}

/** Is the port's traffic translated by the M4U (its MMU enable bit set in the larb)? */
export function smiPortMmuEnabled(m: Machine, larb: SmiLarbState, port: number): boolean {
  return smiPortMmuEnabledIn(smiState(m), larb, port);
}

/** The last SoC whose config-port style was looked up (a keyed lookup per access otherwise). */
let lastSoc = '';
let lastMmuEn = false;

/** smiPortMmuEnabled with the SMI state at hand. */
export function smiPortMmuEnabledIn(smi: SmiState, larb: SmiLarbState, port: number): boolean {
  if (larb.direct) return true; // no larb registers: the ports always go through the M4U
  if (smi.soc !== lastSoc) {
    lastMmuEn = SMI_PLATS[smi.soc].configPort === 'mmu-en';
    lastSoc = smi.soc;
  }
  if (lastMmuEn) return (larb.mmuEn & (1 << port)) !== 0;
  return (larb.nonsecCon[port] & F_MMU_EN) !== 0;
}
