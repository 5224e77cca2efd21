import type { P2pPairStatus, PciFnStatus, PciHostStatus, PciView } from './model.ts';
import { acsText, hostIommuText, size, treeRows } from '../../../debugger/views/pci-text.ts';

export interface PciRow {
  readonly text: string;
  /** The function's id (-1: a host bridge row). */
  readonly fn: number;
  readonly head: boolean;
  readonly endpoint: boolean;
  /** ACS redirect (RR, CR or EC) is set in its control word. */
  readonly redirect: boolean;
}

const SHORT: Record<PciFnStatus['type'], string> = { host: 'host', 'root-port': 'RP', upstream: 'USP', downstream: 'DSP', endpoint: '' };
const id16 = (n: number) => n.toString(16).padStart(4, '0');

/** A host bridge in a few words: its name, the 00.0 id the whitelist reads, the answer. */
function hostText(h: PciHostStatus): string {
  const wl = h.whitelisted === 'any' ? 'whitelisted' : h.whitelisted === 'same-host-bridge' ? 'whitelisted, same bridge' : 'not whitelisted';
  return `${h.name} ${id16(h.vendor)}:${id16(h.device)} ${wl}${h.iommu ? ` ${hostIommuText(h)}` : ''}`;
}

/** A function in a few words: bus:dev.fn (segment 0 shortened), name, port type or driver, ACS, p2pmem. */
function fnText(f: PciFnStatus): string {
  const bdf = f.bdf.startsWith('0000:') ? f.bdf.slice(5) : f.bdf;
  const parts = [bdf, f.name !== f.bdf ? f.name : '', f.type === 'endpoint' ? f.driver : SHORT[f.type]];
  if (f.acsCap !== null) parts.push(`ACS ${acsText(f.acsCtrl)}`);
  if (f.p2pmem) parts.push(`p2pmem ${size(f.p2pmem.size)}${f.p2pmem.published ? '' : ' unpublished'}${f.p2pmem.used ? ` ${size(f.p2pmem.used)} used` : ''}`);
  return parts.filter(Boolean).join(' ');
}

export function pciRows(v: PciView): PciRow[] {
  const rows: PciRow[] = [];
  v.hosts.forEach((h, i) => {
    rows.push({ text: hostText(h), fn: -1, head: true, endpoint: false, redirect: false });
    for (const { fn, prefix } of treeRows(v.fns.filter((f) => f.host === i && f.type !== 'host'))) {
      rows.push({ text: `${prefix}${fnText(fn)}`, fn: fn.id, head: false, endpoint: fn.type === 'endpoint', redirect: fn.acsCap !== null && (fn.acsCtrl & 0x2c) !== 0 });
    }
  });
  return rows;
}

/** The provider the pair uses: the marked endpoint, else the first published p2pmem, else the first endpoint. */
export function pairProvider(v: PciView, marked: number | undefined): number | undefined {
  const eps = v.fns.filter((f) => f.type === 'endpoint');
  if (marked !== undefined && eps.some((f) => f.id === marked)) return marked;
  return (eps.find((f) => f.p2pmem?.published) ?? eps[0])?.id;
}

/** Two lines: the answer for (provider, client) as this kernel computes it, and the path. */
export function pairLines(v: PciView, p: P2pPairStatus | undefined): [string, string] {
  if (!p) return ['no pair: the topology has fewer than two endpoints', ''];
  const answer =
    v.kernel === 'present'
      ? `${p.v54.mapType} distance ${p.v54.dist}${p.cached !== undefined && p.cached !== p.v54.mapType ? ` (cached: ${p.cached})` : ''}`
      : `distance ${p.v50}${p.v50 === -1 ? ' (no common upstream bridge)' : p.v50 === -2 ? ' (ACS redirect)' : ''}`;
  const path = `via ${p.common ?? 'the host bridge (no common upstream bridge)'}${p.acs.length ? `; ACS redirect at ${p.acs.join(';')}` : ''}`;
  return [`${p.providerName} -> ${p.clientName}: ${answer}`, path];
}
