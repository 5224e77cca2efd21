import type { HmmView } from './model.ts';

export interface HmmRow {
  readonly text: string;
  readonly head: boolean;
  readonly bad: boolean;
}

const h = (n: number): string => '0x' + n.toString(16);

export function hmmRows(v: HmmView): HmmRow[] {
  const rows: HmmRow[] = [];
  for (const mm of v.mms) {
    const state = mm.live ? (mm.subscribed ? 'notifier on' : 'released') : 'freed';
    const leaked = mm.live && mm.subscribed && mm.mirrors.every((x) => !x.registered);
    rows.push({ text: `${mm.mm}  struct hmm ${state}${mm.mmCleared ? ', hmm->mm NULL' : ''}${mm.notifiers ? `, ${mm.notifiers} in flight` : ''}${leaked ? '  LEAKED' : ''}`, head: true, bad: leaked || mm.mmCleared });
    if (mm.mmapSemHeldBy) rows.push({ text: `  mmap_sem held for write by ${mm.mmapSemHeldBy}`, head: false, bad: true });
    for (const x of mm.mirrors) {
      const stale = x.devpt.filter((e) => e.stale).length;
      rows.push({ text: `  ${x.name} ${x.stuck ? 'STUCK in register' : x.registered ? 'mirror' : 'unregistered'}  syncs ${x.syncs}  ptes ${x.devpt.length}${stale ? `  ${stale} STALE` : ''}`, head: false, bad: x.stuck || stale > 0 });
      for (const e of x.devpt) {
        // The CPU side only when it differs: a matching entry is the common case.
        const cpu = e.cpuPa >= 0 ? `${h(e.cpuPa)} ${e.cpuWrite ? 'rw' : 'ro'}` : 'none';
        const dev = `${e.p2p ? 'bus ' : ''}${h(e.addr)} ${e.write ? 'rw' : 'ro'}`;
        rows.push({ text: `    ${h(e.va)} -> ${dev}${e.stale ? `  cpu ${cpu} STALE` : e.p2p ? '  p2p_map' : ''}`, head: false, bad: e.stale });
      }
    }
    for (const r of mm.ranges) rows.push({ text: `  range ${h(r.start)}-${h(r.end)} ${r.mirror} ${r.valid ? 'valid' : 'invalid'}`, head: false, bad: false });
  }
  return rows;
}
