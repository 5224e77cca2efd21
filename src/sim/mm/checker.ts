/**
 * The coherency checker: on every ATC hit, compare the translation the device used with
 * what the CPU page table says now. A device access through a translation the CPU has
 * changed, write-protected or torn down (page reclaimed, unmapped, replaced, freed) is
 * a `coherency-violation` naming the cpu-pte record that changed it. It only observes:
 * a correct subscriber flushes before any such access can happen, so it never fires.
 */
import type { Machine } from '../machine.ts';
import type { SvaDeviceState } from '../devices/sva-device.ts';
import { PAGE_SIZE } from './types.ts';
import { mmById, paOf, pteValue, vpnOf } from './state.ts';

export function checkAtcHit(m: Machine, d: SvaDeviceState, i: number, addr: number, write: boolean): void {
  const mm = mmById(m, d.mm);
  const vpn = vpnOf(addr);
  const p = mm.ptes.get(vpn);
  const pfn = d.atc.pfn[i];
  const same = p !== undefined && p.present && p.pfn === pfn && (!write || p.write);
  if (same) return;
  m.emit('coherency-violation', {
    dev: d.name, pasid: d.pasid, va: addr - (addr % PAGE_SIZE), write,
    stale: { pa: paOf(pfn), write: d.atc.write[i] === 1 },
    current: p && p.present ? { present: true, pa: paOf(p.pfn), write: p.write } : { present: false, pte: pteValue(p) },
    changedBy: mm.changedBy.get(vpn) ?? -1,
    filledBy: d.atc.filledBy[i],
  });
}
