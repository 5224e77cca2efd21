/**
 * HMM as plain typed data for the debugger (`info hmm`, the HMM panel): each mm's struct
 * hmm, its mirrors with their device page tables beside what the CPU page table says now,
 * and the ranges being snapshotted. Numbers and names, never text.
 */
import type { Machine } from '../machine.ts';
import { mmModel } from './state.ts';
import { HMM_MODEL } from './hmm-state.ts';

export interface DevPteStatus {
  readonly va: number;
  /** The device's entry: a CPU page (pa) or a peer bus address (p2p). */
  readonly addr: number;
  readonly write: boolean;
  readonly p2p: boolean;
  /** The CPU PTE now: its pa, or -1 when not present. */
  readonly cpuPa: number;
  readonly cpuWrite: boolean;
  /** A pfn entry the CPU page table no longer backs (the checker reports it on use). */
  readonly stale: boolean;
}

export interface HmmMirrorStatus {
  readonly name: string;
  readonly registered: boolean;
  readonly stuck: boolean;
  readonly syncs: number;
  readonly encoding: string;
  readonly devpt: readonly DevPteStatus[];
}

export interface HmmRangeStatus {
  readonly mirror: string;
  readonly start: number;
  readonly end: number;
  readonly valid: boolean;
  readonly seq: number;
  readonly seqAtSnapshot: number;
}

export interface HmmMmStatus {
  readonly mm: string;
  readonly live: boolean;
  readonly subscribed: boolean;
  readonly mmCleared: boolean;
  readonly users: number;
  readonly notifiers: number;
  readonly mirrors: readonly HmmMirrorStatus[];
  readonly ranges: readonly HmmRangeStatus[];
  /** A mirror stuck in hmm_mirror_register holding mmap_sem for write. */
  readonly mmapSemHeldBy?: string;
}

export function hmmStatus(m: Machine): HmmMmStatus[] | undefined {
  const mdl = m.findModel(HMM_MODEL);
  if (!mdl) return undefined;
  const mms = mmModel(m).mms;
  return mdl.hmms.map((h) => {
    const mm = mms[h.mm];
    const mirrorsOf = mdl.mirrors.filter((x) => x.mm === h.mm && (h.mirrors.includes(x.id) || x.hmm === mdl.hmms.indexOf(h) || x.stuck));
    return {
      mm: mm.name, live: h.live, subscribed: h.subscribed, mmCleared: h.mmCleared, users: h.users, notifiers: h.notifiers,
      mirrors: mirrorsOf.map((x) => ({
        name: x.name, registered: x.registered, stuck: x.stuck, syncs: x.syncs, encoding: x.encoding,
        devpt: [...x.devpt.entries()].sort((a, b) => a[0] - b[0]).map(([vpn, e]) => {
          const p = mm.ptes.get(vpn);
          const cpuPa = p && p.present ? p.pfn * 4096 : -1;
          return {
            va: vpn * 4096, addr: e.page * 4096, write: e.write, p2p: e.p2p, cpuPa, cpuWrite: !!p?.write,
            stale: !e.p2p && (cpuPa !== e.page * 4096 || (e.write && !p?.write)),
          };
        }),
      })),
      ranges: h.ranges.map((id) => mdl.ranges[id]).map((r) => ({ mirror: mdl.mirrors[r.mirror].name, start: r.start, end: r.end, valid: r.valid, seq: r.seq, seqAtSnapshot: r.seqAtSnapshot })),
      ...(mdl.mmapSemHeld[h.mm] ? { mmapSemHeldBy: mdl.mmapSemHeld[h.mm] } : {}),
    };
  });
}
