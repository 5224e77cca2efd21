/**
 * The AMD panel's rows: the stop's device and its DTE decoded, the walk of the stop's
 * address with each level's raw 64-bit word, each IOMMU's command-buffer tail and event log
 * (words under each entry), and the protection domains with their dev_iommu[] counts.
 */
import type { AmdDteView, AmdEventView, AmdView, AmdWalkView } from './model.ts';
import { ridText } from '../../../debugger/views/pci-text.ts';

export interface AmdRow {
  readonly text: string;
  readonly head: boolean;
  readonly tone?: 'bad' | 'muted' | 'warn';
}

const h = (n: number | bigint): string => '0x' + n.toString(16);
const h32 = (n: number): string => '0x' + (n >>> 0).toString(16).padStart(8, '0');
const h64 = (lo: number, hi: number): string => '0x' + (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
const x4 = (n: number): string => '0x' + n.toString(16).padStart(4, '0');
const size = (n: number): string => (n >= 2 ** 30 ? `${n / 2 ** 30}G` : n >= 2 ** 20 ? `${n / 2 ** 20}M` : `${n / 1024}K`);

export function dteFlags(d: AmdDteView): string {
  const f = [d.valid ? 'V' : '', d.translationValid ? 'TV' : '', `mode ${d.mode}`, d.mode ? `root ${h(d.root)}` : '', d.ir ? 'IR' : '', d.iw ? 'IW' : '', `domid ${d.domid}`];
  const what = !d.valid || !d.translationValid ? 'no translation' : d.mode === 0 ? (d.ir || d.iw ? 'untranslated' : 'DMA blocked') : '';
  return f.filter(Boolean).join(' ') + (what ? ` (${what})` : '');
}

export function walkRow(w: AmdWalkView): AmdRow {
  const head = `L${w.level}[0x${w.index.toString(16).padStart(3, '0')}] ${h64(w.lo, w.hi)}`;
  if (!w.present) return { text: `${head} not present: fault`, head: false, tone: 'bad' };
  const perm = `${w.ir ? 'R' : '-'}${w.iw ? 'W' : '-'}`;
  if (w.leafSize !== undefined) return { text: `${head} ${size(w.leafSize)}${w.next === 7 ? ' (L7)' : ''} -> ${h(w.target - (w.target % w.leafSize))} ${perm}`, head: false };
  if (w.next - 1 >= w.level) return { text: `${head} next level ${w.next}: malformed`, head: false, tone: 'bad' };
  return { text: `${head} -> L${w.next - 1} @${h(w.target)}`, head: false };
}

function eventRows(e: AmdEventView): AmdRow[] {
  const tone = e.pending ? 'warn' : undefined;
  const dev = ridText(e.devid);
  return [
    { text: ` [${String(e.slot).padStart(3)}] ${e.type} ${dev} domain=${x4(e.domain)}${e.pending ? ' (unread)' : ''}`, head: false, tone },
    { text: `       address=${h(e.address)} flags=${x4(e.flags)}`, head: false, tone },
    { text: `       ${e.words.map(h32).join(' ')}`, head: false, tone: 'muted' },
  ];
}

export function amdRows(v: AmdView): AmdRow[] {
  const rows: AmdRow[] = [];
  const d = v.device;
  if (d) {
    rows.push({ text: `${d.name} ${d.bdf} on ${d.iommu} -> ${d.domain !== undefined ? `${d.domain} (id ${d.domainId})` : 'no domain'}`, head: true });
    rows.push({ text: ` DTE ${h64(d.dte.words[0], d.dte.words[1])} ${h64(d.dte.words[2], d.dte.words[3])}`, head: false });
    rows.push({ text: `   ${dteFlags(d.dte)}`, head: false, tone: d.dte.mode === 0 ? 'warn' : undefined });
  }
  if (v.walkIova !== undefined) {
    rows.push({ text: `walk ${h(v.walkIova)}${v.walk.length ? '' : ': no translation (see the DTE)'}`, head: true });
    for (const w of v.walk) rows.push({ ...walkRow(w), text: ` ${walkRow(w).text}` });
  }
  // The event log first: at a fault report it is what the stop is about.
  for (const io of v.iommus) {
    rows.push({ text: `${io.name} event log head ${h(io.evtHead)} tail ${h(io.evtTail)}  faults ${io.faults}`, head: true, tone: io.events.some((e) => e.pending) ? 'warn' : undefined });
    if (!io.events.length) rows.push({ text: ' (empty)', head: false, tone: 'muted' });
    for (const e of io.events) rows.push(...eventRows(e));
  }
  for (const io of v.iommus) {
    rows.push({ text: `${io.name} cmd buf head ${h(io.cmdHead)} tail ${h(io.cmdTail)}  IOTLB ${io.iotlbValid}/${io.iotlbSize}`, head: true });
    for (const c of io.cmds) {
      rows.push({ text: ` [${String(c.slot).padStart(3)}] ${c.name}`, head: false });
      rows.push({ text: `       ${c.words.map(h32).join(' ')}`, head: false, tone: 'muted' });
    }
  }
  rows.push({ text: `domains (${v.lazy ? 'lazy flush' : 'fullflush'}, ${v.release} driver)`, head: true });
  for (const x of v.domains) {
    rows.push({
      text: x.freed ? ` ${x.name} id ${x.id} freed` : ` ${x.name} id ${x.id} ${x.type} mode ${x.mode} dev_iommu ${x.devIommu.join(',')} cnt ${x.devCnt}`,
      head: false,
      tone: x.freed ? 'muted' : undefined,
    });
  }
  return rows;
}
