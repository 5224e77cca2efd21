/**
 * Provenance: `provenance iova|pa ADDR` lists every recorded record that touched the
 * address, newest first; `why` at a fault or checker finding goes back to the record
 * that caused it (reverse-continue with a purpose).
 */
import type { TraceRecord } from '../../sim/core/trace.ts';
import { decodeLine, fieldText, fieldValue } from '../../sim/trace/codec.ts';
import { type Command, type CommandGen, defineCommand, ok } from '../command.ts';
import { fieldNum, formatRecordRow, parseNum } from '../format.ts';
import { ParseError } from '../parser.ts';
import type { Session } from '../session.ts';
import { IOVA_KINDS, PA_KINDS, touchesIova, touchesPa } from '../specs.ts';
import { kindOfLine } from '../recording.ts';
import type { Stop } from '../types.ts';

/** Kinds whose lines can touch an address (a cheap text test before JSON.parse). */
const IOVA_LINE_KINDS = IOVA_KINDS.map((k) => `"${k}"`);
const PA_LINE_KINDS = PA_KINDS.map((k) => `"${k}"`);

/** Records before `beforeSeq` touching [lo, hi), newest first, at most `max`. */
export function touching(s: Session, space: 'iova' | 'pa', lo: number, hi: number, beforeSeq: number, max: number): TraceRecord[] {
  const kinds = space === 'iova' ? IOVA_LINE_KINDS : PA_LINE_KINDS;
  const test = space === 'iova' ? touchesIova : touchesPa;
  const out: TraceRecord[] = [];
  for (let seq = beforeSeq - 1; seq >= 0 && out.length < max; seq--) {
    const line = s.recording.line(seq);
    if (!kinds.includes(kindOfLine(line))) continue;
    const r = decodeLine(line);
    if (test(r, lo, hi)) out.push(r);
  }
  return out;
}

const provenance = defineCommand({
  name: 'provenance',
  aliases: ['prov', 'who'],
  usage: 'provenance iova|pa ADDR [last N]',
  summary: 'Every recorded record that touched an IOVA or PA, newest first',
  subcommands: ['iova', 'pa'],
  help:
    'provenance iova ADDR [last N]   maps, unmaps, PTE writes, accesses, faults and invalidations\n' +
    '                                that touched IOVA ADDR, newest first (default last 50)\n' +
    'provenance pa ADDR [last N]     mappings, accesses, copies and bounces that touched PA ADDR\n' +
    '  Only records up to the current position are searched.',
  examples: ['provenance iova 0xffffc000', 'provenance pa 0x40002000 last 5'],
  run: ({ session: s, args, word }) => {
    const sp = args[0];
    if (!sp || (sp.text !== 'iova' && sp.text !== 'pa')) {
      throw new ParseError(sp ? `provenance of "${sp.text}"?` : 'provenance of what?', sp ? sp.col : word.col + word.text.length + 1, 'provenance iova ADDR or provenance pa ADDR');
    }
    const at = args[1];
    const addr = at ? parseNum(at.text) : undefined;
    if (addr === undefined) throw new ParseError(at ? `bad address "${at.text}"` : 'which address?', at ? at.col : sp.col + sp.text.length + 1, 'e.g. provenance iova 0x40001000');
    let max = 50;
    if (args[2]?.text === 'last') {
      const n = args[3] ? parseNum(args[3].text) : undefined;
      if (!n) throw new ParseError('last how many?', args[3]?.col ?? args[2].col + 5);
      max = n;
    }
    const rs = touching(s, sp.text, addr, addr + 1, s.machine.state.traceCount, max);
    if (!rs.length) return ok(`Nothing recorded touched ${sp.text} ${at!.text} (up to record ${s.machine.state.traceCount}).`);
    return ok(`${rs.length} record(s) touched ${sp.text} ${at!.text}, newest first:`, ...rs.map(formatRecordRow));
  },
  complete: (_s, i) => (i === 0 ? ['iova', 'pa'] : []),
});

/** Field names a checker record may use to name the seq that caused it (an explicit `cause` first). */
const CAUSE_FIELDS = ['cause', 'changedBy', 'causeSeq'];
const CAUSE_KINDS = ['"unmap"', '"pte"', '"map"', '"tlb-inval"', '"atc-inval"', '"notifier"', '"cpu-pte"'];

/** The address a fault or finding is about: its iova, a dma access's addr, an ATC page's va. */
function faultAddr(r: TraceRecord): { field: string; addr: number } | undefined {
  switch (r.kind) {
    case 'fault':
    case 'stale-tlb':
      return { field: 'iova', addr: r.iova };
    case 'dma':
      return { field: 'addr', addr: r.addr };
    case 'coherency-violation':
      return { field: 'va', addr: r.va };
    default:
      return undefined;
  }
}

/** The seq that caused record r, or a reason there is none. */
export function causeOf(s: Session, r: TraceRecord): { seq: number; how: string } | string {
  for (const f of CAUSE_FIELDS) {
    const n = fieldNum(fieldValue(r, f));
    if (n !== undefined && n >= 0 && n < r.seq) return { seq: n, how: `${r.kind} names it (${f})` };
  }
  const isFault = r.kind === 'fault' || (r.kind === 'dma' && r.result === 'fault') || r.kind === 'stale-tlb' || r.kind === 'coherency-violation';
  if (!isFault) return `why works at a fault or a checker finding (stale-tlb, coherency-violation); this is a ${r.kind} record`;
  const at = faultAddr(r);
  if (!at) return `the ${r.kind} record has no iova to trace`;
  const { addr } = at;
  const shown = fieldText(r, at.field);
  for (let seq = r.seq - 1; seq >= 0; seq--) {
    const line = s.recording.line(seq);
    const k = kindOfLine(line);
    if (!CAUSE_KINDS.includes(k)) continue;
    const c = decodeLine(line);
    const hit = c.kind === 'notifier' ? touchesRange(c.start, c.end, addr) : c.kind === 'cpu-pte' ? addr >= c.va && addr < c.va + 4096 : touchesIova(c, addr, addr + 1);
    if (hit) return { seq, how: `last ${c.kind} touching ${shown}` };
  }
  // Earlier accesses (dma records) may name the address too; what matters is that no
  // record changed its translation.
  return `nothing before record ${r.seq} mapped, unmapped or invalidated ${shown}: it was never mapped`;
}

function touchesRange(lo: number | undefined, hi: number | undefined, a: number): boolean {
  return lo !== undefined && hi !== undefined && a >= lo && a < hi;
}

function* whyGen(s: Session): CommandGen {
  const at = s.at;
  if (at === undefined) return ok('why needs a stop at a record: a breakpoint on a fault or a checker finding, or goto SEQ.');
  const r = s.recording.get(at);
  const c = causeOf(s, r);
  if (typeof c === 'string') return ok(c);
  const moved: Stop = yield s.gotoRecord(c.seq, 'why');
  const cause = s.recording.get(c.seq);
  const stop: Stop = { ...moved, record: cause, message: `why: record ${c.seq} caused record ${r.seq} (${c.how})` };
  return { lines: [stop.message!, ...s.describe({ ...stop, message: undefined }), `(goto ${r.seq} returns to the ${r.kind} record)`], stop };
}

const why = defineCommand({
  name: 'why',
  usage: 'why',
  summary: 'At a fault or checker finding, go back to the record that caused it',
  help:
    'why\n  At a stop on a fault (or a faulting dma access), go back to the last unmap, PTE write,\n' +
    '  map or invalidation that touched its IOVA; at a stale-tlb or coherency-violation record,\n' +
    '  go to the record it names as the cause, stopping right after it. `print` then shows the\n' +
    '  cause; `goto SEQ` with the seq it printed goes back.',
  examples: ['why'],
  run: ({ session: s }) => whyGen(s),
});

export const PROVENANCE_COMMANDS: Command[] = [provenance, why];
