/**
 * Spec parsers: the text after `break`, `watch` and `log` becomes a record test.
 *   break fault mmu=1 iova=0x1000..0x2000      (a shorthand: fault fault-irq inval notifier ...)
 *   break kind=dma where dev=vdec len>=4096    (any kind, any field: the filter grammar, filter.ts)
 *   watch iova 0x40000000..0x40004000 domain=2 (map/unmap/pte/access/invalidation touching it)
 */
import type { TraceRecord } from '../sim/core/trace.ts';
import { closest } from '../scenario/suggest.ts';
import { parseNum, parseRange } from './format.ts';
import { fieldText } from '../sim/trace/codec.ts';
import { type Filter, parseFilter } from './filter.ts';
import { type Pred, type RecordTest, parsePreds } from './match.ts';
import { NAME_FIELDS, type ScenarioNames } from './names.ts';
import { ParseError, type Token } from './parser.ts';
import { F_INT_CLR_BIT, REG_NAMES } from '../sim/iommu/mtk/regs.ts';

export interface ParsedSpec {
  readonly test: RecordTest;
  /** The record kinds the test can match; undefined: any. */
  readonly kinds?: ReadonlySet<string>;
  readonly condition: Pred[];
  /** Index of the first token not consumed (a log point's text, say). */
  readonly next: number;
  /** The filter (break and log), to check a later `condition N` or a log text against. */
  readonly filter?: Filter;
}

export interface SpecOptions {
  /** A quoted token ends the spec (a log point's text). */
  readonly stopAtQuoted?: boolean;
  /** The scenario's names, to check dev=, domain=, larb= ... against. */
  readonly names?: ScenarioNames;
  /** The spec may start with a condition instead of a kind (after `break FUNCTION`). */
  readonly kindOptional?: boolean;
}

/** `break`/`tbreak`/`log` spec starting at toks[i]; `if ...` at the end is the condition. */
export function parseBreakSpec(toks: readonly Token[], i: number, opts: SpecOptions = {}): ParsedSpec {
  const quoted = (t: Token) => !!opts.stopAtQuoted && t.quoted;
  const f = parseFilter(toks, i, { needKind: !opts.kindOptional, endsAt: (t) => (t.text === 'if' && !t.quoted) || quoted(t), names: opts.names });
  let next = f.next;
  let condition: Pred[] = [];
  if (toks[next]?.text === 'if') {
    let j = next + 1;
    while (j < toks.length && !quoted(toks[j])) j++;
    condition = f.check(parsePreds(toks.slice(0, j), next + 1, []).preds);
    if (!condition.length) throw new ParseError('`if` needs a condition', toks[next].col, 'e.g. if iova>=0x1000');
    next = j;
  }
  return { test: f.test, condition, next, kinds: f.kinds, filter: f };
}

/** The kinds touchesIova / touchesPa can say yes to. */
export const IOVA_KINDS = ['map', 'unmap', 'dma', 'fault', 'stale-tlb', 'coherency-violation', 'pte', 'tlb-inval', 'atc-inval'];
export const PA_KINDS = ['map', 'dma', 'dev-op', 'swiotlb-map', 'swiotlb-unmap', 'swiotlb-sync', 'stale-tlb', 'fault'];

const overlaps = (lo: number, hi: number, a: number | null | undefined, len: number) => a != null && a < hi && a + Math.max(len, 1) > lo;

/** Does a record touch the IOVA range? map/unmap/dma/fault by address, invalidations by range. */
function touchesIova(r: TraceRecord, lo: number, hi: number): boolean {
  switch (r.kind) {
    case 'map':
    case 'unmap':
      return overlaps(lo, hi, r.iova, r.size);
    case 'dma':
      return overlaps(lo, hi, r.addr, r.len);
    case 'fault':
    case 'stale-tlb':
      return overlaps(lo, hi, r.iova, 1);
    case 'coherency-violation':
      return overlaps(lo, hi, r.va, 4096);
    case 'pte':
      return overlaps(lo, hi, r.iova, 4096);
    case 'tlb-inval':
      if (r.scope === 'all') return true;
      return r.start !== undefined && r.end !== undefined && r.start < hi && r.end > lo;
    case 'atc-inval':
      // "all": the whole PASID's ATC entries went.
      if (r.start === 'all' || r.end === 'all') return true;
      return r.start < hi && r.end > lo;
    default:
      return false;
  }
}

function touchesPa(r: TraceRecord, lo: number, hi: number): boolean {
  switch (r.kind) {
    case 'map':
      return overlaps(lo, hi, r.pa, r.size);
    case 'dma':
      return overlaps(lo, hi, r.pa, r.len);
    case 'dev-op':
      return overlaps(lo, hi, r.src, r.len) || overlaps(lo, hi, r.dst, r.len);
    case 'swiotlb-map':
    case 'swiotlb-unmap':
    case 'swiotlb-sync':
      return overlaps(lo, hi, r.orig, r.size) || overlaps(lo, hi, r.tlb, r.size);
    case 'stale-tlb':
      return overlaps(lo, hi, r.cachedPa, 1);
    case 'fault':
      return overlaps(lo, hi, r.pa, 1);
    default:
      return false;
  }
}

function need(toks: readonly Token[], i: number, what: string, hint: string): Token {
  const t = toks[i];
  if (t) return t;
  const last = toks[toks.length - 1];
  throw new ParseError(`missing ${what}`, last ? last.col + last.text.length + 1 : 0, hint);
}

const WATCH_KINDS = ['iova', 'pa', 'pte', 'bus-sel', 'slot', 'reg'];
/** DMAR registers the driver writes (dmarRegName's names without _REG). */
const DMAR_WATCH_REGS = ['GCMD', 'RTADDR', 'CCMD', 'FSTS', 'FECTL', 'FEDATA', 'PMEN', 'IQH', 'IQT', 'IQA', 'ICS', 'IVA', 'IOTLB'];

/** A domain the scenario does not have is an error (a watchpoint on it would never stop). */
function checkDomain(t: Token, name: string, names: ScenarioNames | undefined): void {
  const known = names?.known('domain');
  if (!known || known.includes(name)) return;
  const near = closest(name, known);
  const list = known.length ? `${NAME_FIELDS.domain}s here: ${known.join(', ')}` : `this scenario has no ${NAME_FIELDS.domain}s`;
  throw new ParseError(`no ${NAME_FIELDS.domain} "${name}" in this scenario`, t.col, near ? `did you mean "${near}"? (${list})` : list);
}

/** `watch iova LO..HI [domain=D]`, `watch pa LO..HI`, `watch pte DOMAIN IOVA`, `watch bus-sel`, `watch slot N`. */
export function parseWatchSpec(toks: readonly Token[], i: number, names?: ScenarioNames): ParsedSpec {
  const w = need(toks, i, 'what to watch', `watch ${WATCH_KINDS.join('|')} ...`);
  let test: RecordTest;
  let kinds: ReadonlySet<string>;
  let next = i + 1;
  switch (w.text) {
    case 'iova':
    case 'pa': {
      const rt = need(toks, next, 'an address range', `e.g. watch ${w.text} 0x40000000..0x40004000`);
      const range = parseRange(rt.text);
      if (!range) throw new ParseError(`bad address range "${rt.text}"`, rt.col, 'write LO..HI (HI excluded), LO+SIZE or one address');
      next++;
      let domain: string | undefined;
      if (toks[next]?.text.startsWith('domain=')) {
        domain = toks[next].text.slice(7);
        checkDomain({ ...toks[next], col: toks[next].col + 7 }, domain, names);
        next++;
      }
      const { lo, hi } = range;
      kinds = new Set(w.text === 'iova' ? IOVA_KINDS : PA_KINDS);
      if (w.text === 'iova') {
        test = (r) => {
          const d = fieldText(r, 'domain');
          return (domain === undefined || d === undefined || d === domain) && touchesIova(r, lo, hi);
        };
      }
      else test = (r) => touchesPa(r, lo, hi);
      break;
    }
    case 'pte': {
      const dt = need(toks, next, 'a domain', 'watch pte DOMAIN IOVA');
      const it = need(toks, next + 1, 'an IOVA', 'watch pte DOMAIN IOVA');
      const iova = parseNum(it.text);
      if (iova === undefined) throw new ParseError(`bad IOVA "${it.text}"`, it.col, 'e.g. 0x40001000');
      checkDomain(dt, dt.text, names);
      next += 2;
      kinds = new Set(['pte', 'map', 'unmap']);
      const d = dt.text;
      test = (r) => (r.kind === 'pte' || r.kind === 'map' || r.kind === 'unmap') && r.domain === d && touchesIova(r, iova, iova + 1);
      break;
    }
    case 'bus-sel':
      kinds = new Set(['bus-sel']);
      test = (r) => r.kind === 'bus-sel';
      break;
    case 'slot': {
      const st = need(toks, next, 'a slot number', 'watch slot N');
      const n = parseNum(st.text);
      if (n === undefined) throw new ParseError(`bad slot "${st.text}"`, st.col, 'a slot index, e.g. 128');
      next++;
      kinds = new Set(['swiotlb-map', 'swiotlb-unmap', 'swiotlb-sync', 'swiotlb-full']);
      test = (r) => {
        if (r.kind !== 'swiotlb-map' && r.kind !== 'swiotlb-unmap' && r.kind !== 'swiotlb-sync') return false;
        const ns = r.kind === 'swiotlb-sync' ? 1 : r.nslots;
        return n >= r.slot && n < r.slot + ns;
      };
      break;
    }
    case 'reg': {
      // `watch reg BLOCK REG`: CPU writes of the register (reg records); FAULT_ST1 is also
      // written by the hardware when a fault latches (the faulting access) and cleared by
      // the ISR's INT_CONTROL0 |= F_INT_CLR_BIT.
      const bt = need(toks, next, 'a register block', 'watch reg m4u0 FAULT_ST1');
      const dmars = names?.dmarBlocks ?? [];
      const blocks = [...(names?.regBlocks ?? []), ...dmars];
      if (!blocks.includes(bt.text)) {
        const near = closest(bt.text, blocks);
        throw new ParseError(blocks.length ? `no register block "${bt.text}"` : 'this scenario has no modelled register block (an M4U or a DMAR unit)', bt.col, near ? `did you mean "${near}"? (blocks: ${blocks.join(', ')})` : blocks.length ? `blocks: ${blocks.join(', ')}` : undefined);
      }
      if (dmars.includes(bt.text)) {
        // A DMAR unit: the driver's writes of the register (vtd-reg records, named as in
        // include/linux/intel-iommu.h without DMAR_/_REG).
        const rt = need(toks, next + 1, 'a register name', `watch reg ${bt.text} FSTS`);
        const reg = rt.text.toUpperCase().replace(/^DMAR_/, '').replace(/_REG$/, '');
        if (!DMAR_WATCH_REGS.includes(reg)) {
          const near = closest(reg, DMAR_WATCH_REGS);
          throw new ParseError(`no register "${rt.text}" in ${bt.text}`, rt.col, near ? `did you mean "${near}"?` : `registers: ${DMAR_WATCH_REGS.join(', ')}`);
        }
        next += 2;
        const block = bt.text;
        kinds = new Set(['vtd-reg']);
        test = (r) => r.kind === 'vtd-reg' && r.iommu === block && r.op === 'write' && r.reg === `${reg}_REG`;
        break;
      }
      const rt = need(toks, next + 1, 'a register name', `watch reg ${bt.text} FAULT_ST1`);
      const regs = Object.values(REG_NAMES);
      const reg = rt.text.toUpperCase().replace(/^REG_MMU_/, '');
      if (!regs.includes(reg)) {
        const near = closest(reg, regs);
        throw new ParseError(`no register "${rt.text}" in ${bt.text}`, rt.col, near ? `did you mean "${near}"?` : `registers: ${regs.join(', ')}`);
      }
      next += 2;
      const block = bt.text;
      const st1 = reg === 'FAULT_ST1';
      kinds = new Set(st1 ? ['reg', 'dma'] : ['reg']);
      test = (r) => {
        if (r.kind === 'reg') return r.block === block && r.op === 'write' && (r.reg === reg || (st1 && r.reg === 'INT_CONTROL0' && ((r.val ?? 0) & F_INT_CLR_BIT) !== 0));
        return st1 && r.kind === 'dma' && r.result === 'fault' && names?.blockOfDev?.(r.dev) === block;
      };
      break;
    }
    default: {
      const near = closest(w.text, WATCH_KINDS);
      throw new ParseError(`cannot watch "${w.text}"`, w.col, near ? `did you mean "${near}"?` : `watch ${WATCH_KINDS.join('|')}`);
    }
  }
  let condition: Pred[] = [];
  if (toks[next]?.text === 'if') {
    condition = parsePreds(toks, next + 1, []).preds;
    next = toks.length;
  }
  if (next < toks.length) throw new ParseError(`unexpected "${toks[next].text}"`, toks[next].col, 'conditions go after `if`');
  return { test, condition, next, kinds };
}

export { touchesIova, touchesPa };
