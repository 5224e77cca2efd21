/**
 * The VT-d panel as rows: the unit's state, the selected device's root, context and (in
 * scalable mode) PASID entries with their words, the walk of the stop's IOVA in its domain,
 * and the fault recording registers.
 */
import type { VtdDeviceStatus, VtdPteDecoded, VtdUnitStatus, VtdView, VtdWalkView } from './model.ts';
import { ridText } from '../../../debugger/views/pci-text.ts';

export interface VtdRow {
  readonly text: string;
  readonly tone?: 'bad' | 'muted' | 'accent' | 'warn' | 'info';
  readonly head?: boolean;
}

const h = (n: number): string => '0x' + n.toString(16);
const w64 = (n: bigint): string => '0x' + n.toString(16).padStart(16, '0');
const size = (n: number): string => (n >= 2 ** 30 ? `${n / 2 ** 30}G` : n >= 2 ** 20 ? `${n / 2 ** 20}M` : `${n / 1024}K`);
const bdf = ridText;
const PGTT: Record<number, string> = { 1: 'first-level', 2: 'second-level', 3: 'nested', 4: 'pass-through' };

function unitRows(u: VtdUnitStatus): VtdRow[] {
  const r = u.regs;
  const fri = (r.fsts >>> 8) & 0xff;
  const rows: VtdRow[] = [
    { text: `${u.name} ${u.mode}${u.translating ? '' : ' (translation off)'}  IOTLB ${u.iotlbValid}/${u.iotlbSize} hit ${u.hits} miss ${u.misses}`, head: true },
    { text: `  FSTS ${h(r.fsts)}${r.fsts & 2 ? ` PPF FRI=${fri}` : ''}${r.fsts & 1 ? ' PFO' : ''}  FECTL ${h(r.fectl)}  IQH ${h(r.iqh)} IQT ${h(r.iqt)}`, tone: r.fsts & 3 ? 'bad' : 'muted' },
  ];
  return rows;
}

function entryRows(d: VtdDeviceStatus): VtdRow[] {
  const rows: VtdRow[] = [];
  if (!d.root) return [{ text: '  no root table yet', tone: 'muted' }];
  const rt = d.root;
  rows.push({ text: `  root[${h(rt.index)}] ${rt.decoded.present ? `P -> ctx table ${h(rt.decoded.table)}` : 'not present (reason 1)'}`, tone: rt.decoded.present ? undefined : 'bad' });
  rows.push({ text: `    @${h(rt.addr)} ${rt.words.map(w64).join(' ')}`, tone: 'muted' });
  const c = d.context;
  if (!c) return rows;
  const cd = c.decoded;
  const what = !cd.present
    ? 'not present (reason 2)'
    : d.scalable
      ? `P PDTS=${cd.pdts} dir ${h(cd.pasidDir)} RID_PASID=${cd.rid2pasid}`
      : `P TT=${cd.tt} AW=${cd.aw} DID=${cd.did} SLPT ${h(cd.slptptr)}`;
  rows.push({ text: `  ctx[${h(c.index)}] ${what}`, tone: cd.present ? undefined : 'bad' });
  rows.push({ text: `    @${h(c.addr)} ${c.words.map(w64).join(' ')}`, tone: 'muted' });
  if (d.pasidDir) {
    rows.push({ text: `  pasid-dir[${d.pasidDir.index}] ${d.pasidDir.decoded.present ? `P -> table ${h(d.pasidDir.decoded.table)}` : 'not present'}`, tone: d.pasidDir.decoded.present ? undefined : 'bad' });
  }
  if (d.pasid) {
    const p = d.pasid.decoded;
    const mismatch = p.present && p.pgtt === 2 && d.did !== undefined && p.did !== d.did;
    rows.push({
      text: `  pasid[${d.pasid.index}] ${p.present ? `P PGTT=${p.pgtt} (${PGTT[p.pgtt] ?? '?'}) AW=${p.aw} DID=${p.did}${mismatch ? ` != domain ${d.did}` : ''} PWSNP=${p.pwsnp ? 1 : 0}${p.sre ? ' SRE' : ''}` : 'not present'}`,
      tone: mismatch ? 'bad' : p.present ? undefined : 'bad',
    });
    rows.push({ text: `    @${h(d.pasid.addr)} ${d.pasid.words.slice(0, 3).map(w64).join(' ')}`, tone: 'muted' });
  }
  for (const e of d.pasids ?? []) {
    const p = e.decoded;
    const fl = p.pgtt === 3 || p.pgtt === 1 ? ` FLPT ${h(p.flptr)}` : '';
    rows.push({ text: `  pasid ${e.index} P PGTT=${p.pgtt} (${PGTT[p.pgtt] ?? '?'}) DID=${p.did}${fl} SLPT ${h(p.slptptr)}` });
  }
  return rows;
}

function pteText(d: VtdPteDecoded): string {
  if (!d.present) return 'not present';
  const rw = `${d.read ? 'R' : '-'}${d.write ? 'W' : '-'}`;
  return d.type === 'table' ? `table -> ${h(d.addr)} ${rw}` : `${size(d.size)} page -> ${h(d.addr)} ${rw}${d.superpage ? ' SP' : ''}`;
}

function walkRows(w: VtdWalkView): VtdRow[] {
  const rows: VtdRow[] = [{ text: `walk ${h(w.iova)} in ${w.domain} (${w.levels} levels)`, head: true }];
  for (const s of w.steps) {
    rows.push({ text: `  L${s.level}[${h(s.index)}] ${w64(BigInt(s.pte))} ${pteText(s.decoded)}`, tone: s.decoded.present ? (s.decoded.type === 'page' ? 'info' : undefined) : 'bad' });
  }
  const last = w.steps[w.steps.length - 1];
  if (last?.decoded.type === 'page') rows.push({ text: `  -> PA ${h(last.decoded.addr + (w.iova % last.decoded.size))}`, tone: 'info' });
  return rows;
}

function faultRows(u: VtdUnitStatus): VtdRow[] {
  if (!u.records.length) return [];
  const rows: VtdRow[] = [{ text: `${u.name} fault records (${u.faultRecords} at ${h(u.faultOffset)})`, head: true }];
  for (const f of u.records) {
    rows.push({
      text: `  [${f.index}] F=${f.pending ? 1 : 0} ${f.read ? 'read ' : 'write'} reason ${f.reason} ${bdf(f.sid)} ${h(f.addr)} ${f.reasonText}`,
      tone: f.pending ? 'bad' : 'muted',
    });
  }
  return rows;
}

/** Every row for device `dev` (index in v.devices). */
export function vtdRows(v: VtdView, dev: number): VtdRow[] {
  const rows: VtdRow[] = [];
  for (const u of v.units) rows.push(...unitRows(u));
  const d = v.devices[dev];
  if (d) {
    const mark = dev === v.current ? '> ' : '';
    const rid = d.rid !== d.bdf ? ` (DMA as ${d.rid})` : '';
    rows.push({ text: `${mark}${d.dev} ${d.bdf}${rid} -> ${d.domain ? `${d.domain} did ${d.did}` : 'no domain'}`, head: true, tone: dev === v.current ? 'warn' : undefined });
    rows.push(...entryRows(d));
    const w = v.walks[dev];
    if (w) rows.push(...walkRows(w));
  } else rows.push({ text: 'no PCI function behind VT-d', tone: 'muted' });
  for (const u of v.units) rows.push(...faultRows(u));
  return rows;
}
