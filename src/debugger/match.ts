/**
 * Record predicates: `FIELD OP VALUE` tests on trace record fields, used by `where`,
 * `if`, `condition` and `trace`. Addresses, words and counts are numbers in the record, so
 * they compare as numbers with a number typed in any base ("0x1f000" = 126976; 64-bit words
 * as bigints); other fields compare as their text; `~` is "contains" on the text as shown.
 */
import type { TraceRecord } from '../sim/core/trace.ts';
import { fieldText, fieldValue } from '../sim/trace/codec.ts';
import { closest } from '../scenario/suggest.ts';
import { fieldNum, parseNum, parseRange } from './format.ts';
import { ParseError, type Token } from './parser.ts';

export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~';
const OPS: readonly string[] = ['==', '=', '!=', '<=', '>=', '<', '>', '~'];

export interface Pred {
  readonly field: string;
  readonly op: Op;
  readonly value: string;
  /** A LO..HI value with `=`: the field lies in [LO, HI). */
  readonly range?: { lo: number; hi: number };
  /** Column of the predicate in the command line (for errors). */
  readonly col?: number;
}

export type RecordTest = (r: TraceRecord) => boolean;

export function predText(p: Pred): string {
  return `${p.field}${p.op}${p.value}`;
}

/** "mmu1" in a field named mmu reads as 1, so `mmu=1` matches the M4U's cell names. */
function unprefix(field: string, v: unknown): unknown {
  return typeof v === 'string' && v.startsWith(field) && /^\d+$/.test(v.slice(field.length)) ? Number(v.slice(field.length)) : v;
}

/** A field (or seq, t, kind) as predicates compare it. */
export function predValue(r: TraceRecord, field: string): number | bigint | boolean | string | undefined {
  if (field === 'seq' || field === 't' || field === 'kind') return r[field];
  return fieldValue(r, field);
}

/** "0x…" or decimal as a bigint, for 64-bit fields. */
function parseBig(s: string): bigint | undefined {
  return /^(0x[0-9a-f]+|\d+)$/i.test(s) ? BigInt(s) : undefined;
}

export function testPred(p: Pred, r: TraceRecord): boolean {
  const raw = predValue(r, p.field);
  const v = raw === undefined || String(raw) === p.value ? raw : unprefix(p.field, raw);
  if (v === undefined) return p.op === '!=';
  if (p.range) {
    const n = fieldNum(v);
    return n !== undefined && n >= p.range.lo && n < p.range.hi;
  }
  if (p.op === '~') return (p.field === 'seq' || p.field === 't' || p.field === 'kind' ? String(v) : fieldText(r, p.field) ?? '').includes(p.value);
  let c: number;
  const big = typeof v === 'bigint' ? parseBig(p.value) : undefined;
  const a = fieldNum(v);
  const b = parseNum(p.value) ?? (p.value === 'true' ? 1 : p.value === 'false' ? 0 : undefined);
  if (typeof v === 'bigint' && big !== undefined) c = v === big ? 0 : v < big ? -1 : 1;
  else if (typeof v !== 'bigint' && a !== undefined && b !== undefined) c = a - b;
  else {
    const s = typeof v === 'bigint' ? (fieldText(r, p.field) ?? '') : String(v);
    c = s === p.value ? 0 : s < p.value ? -1 : 1;
  }
  switch (p.op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

export function testAll(ps: readonly Pred[], r: TraceRecord): boolean {
  for (const p of ps) if (!testPred(p, r)) return false;
  return true;
}

const ONE = /^([A-Za-z_][\w-]*)(==|!=|<=|>=|=|<|>|~)(.*)$/;

function makePred(field: string, op: string, value: string, col: number): Pred {
  const o = (op === '==' ? '=' : op) as Op;
  if (o === '=' && value.includes('..')) {
    const range = parseRange(value);
    if (!range) throw new ParseError(`bad range "${value}"`, col, 'write LO..HI, e.g. 0x1000..0x2000 (HI excluded)');
    return { field, op: o, value, range, col };
  }
  return { field, op: o, value, col };
}

/**
 * Predicates from tokens[i..] until a token in `stopAt`: "f=v", "f OP v", joined by
 * optional `and` / `&&`. Returns the predicates and the index after them.
 */
export function parsePreds(toks: readonly Token[], i: number, stopAt: readonly string[] = []): { preds: Pred[]; next: number } {
  const preds: Pred[] = [];
  while (i < toks.length && !stopAt.includes(toks[i].text)) {
    const t = toks[i];
    if (t.text === 'and' || t.text === '&&') {
      i++;
      continue;
    }
    const m = t.quoted ? null : ONE.exec(t.text);
    // text~"two words": the quoted value written right after the operator.
    const q = toks[i + 1];
    if (m && m[3] === '' && q?.quoted && q.col === t.col + t.text.length) {
      preds.push(makePred(m[1], m[2], q.text, t.col));
      i += 2;
      continue;
    }
    if (m && m[3] !== '') {
      preds.push(makePred(m[1], m[2], m[3], t.col));
      i++;
      continue;
    }
    const op = toks[i + 1];
    const val = toks[i + 2];
    if (op && val && OPS.includes(op.text) && /^[A-Za-z_][\w-]*$/.test(t.text)) {
      preds.push({ ...makePred(t.text, op.text, val.text, val.col), col: t.col });
      i += 3;
      continue;
    }
    throw new ParseError(`expected FIELD OP VALUE, got "${t.text}"`, t.col, 'e.g. dev=vdec, iova >= 0x1000, api ~ map');
  }
  return { preds, next: i };
}

/** Check filter keys against the fields a kind documents, with a did-you-mean. */
export function checkField(field: string, allowed: readonly string[], col: number, what: string): void {
  if (allowed.includes(field)) return;
  const near = closest(field, allowed);
  throw new ParseError(`${what} has no field "${field}"`, col, near ? `did you mean "${near}"? (fields: ${allowed.join(', ')})` : `fields: ${allowed.join(', ')}`);
}
