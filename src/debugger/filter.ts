/**
 * The one filter grammar, for `break`, `tbreak`, `log`, `trace`, the TUI's `f` filter and
 * `dmadbg run --filter`:
 *
 *   [KIND | kind=KIND | SHORTHAND] [FIELD OP VALUE ...] [where FIELD OP VALUE [and ...]]
 *
 * e.g. `fault mmu=1`, `kind=map where size>=16384`, `dma dev=vdec0 dir=write`. Everything
 * named is checked against the record kinds (src/sim/trace-kinds.ts) and the loaded
 * scenario: fields, operators, value types, enum values and names (devices, domains,
 * IOMMUs, larbs, mmu cells), each mistake reported at its column with a did-you-mean. A
 * filter that cannot match anything is an error, never a breakpoint that silently never
 * stops.
 */
import type { TraceRecord } from '../sim/core/trace.ts';
import { TRACE_KINDS, kindSpec } from '../sim/trace-kinds.ts';
import type { Field } from '../sim/trace/field.ts';
import { closest } from '../scenario/suggest.ts';
import { parseNum } from './format.ts';
import { type Pred, type RecordTest, parsePreds, predText, testAll } from './match.ts';
import { NAME_FIELDS, type NameField, type ScenarioNames } from './names.ts';
import { ParseError, type Token, tokenize } from './parser.ts';

/** Kinds whose spec marks them as a driver's report of a fault (`break fault-irq`). */
export const REPORT_KINDS: readonly string[] = TRACE_KINDS.filter((k) => (k as { stage?: string }).stage === 'report').map((k) => k.kind);

/** A head word that stands for record kinds, maybe with a preset condition. */
export interface Shorthand {
  readonly kinds: readonly string[];
  /** Conditions every match also passes (`fault`: result=fault). */
  readonly preset?: readonly Pred[];
  /** Field names that read better here, and the record field each stands for. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** For the docs and help: what it stops at. */
  readonly summary: string;
}

export const SHORTHANDS: Readonly<Record<string, Shorthand>> = {
  fault: {
    kinds: ['dma'],
    preset: [{ field: 'result', op: '=', value: 'fault' }],
    aliases: { iova: 'addr', type: 'fault' },
    summary: 'the faulting device access: the moment the hardware faults (a `dma` record with result=fault; `iova` and `type` name its addr and fault fields)',
  },
  'fault-irq': {
    kinds: REPORT_KINDS,
    summary: `the driver's later report of a fault (${REPORT_KINDS.map((k) => `\`${k}\``).join(', ')}: every kind whose spec is a fault report)`,
  },
  inval: { kinds: ['tlb-inval'], summary: 'an IOTLB invalidation (`tlb-inval`)' },
  notifier: { kinds: ['notifier'], summary: 'an mmu notifier call (`notifier`)' },
  'swiotlb-full': { kinds: ['swiotlb-full'], summary: 'a SWIOTLB map that found no room (`swiotlb-full`)' },
  coherency: { kinds: ['coherency-violation'], summary: 'the coherency checker\'s finding (`coherency-violation`)' },
  'stale-tlb': { kinds: ['stale-tlb'], summary: 'the stale-translation checker\'s finding (`stale-tlb`)' },
};

const KIND_NAMES: readonly string[] = TRACE_KINDS.map((k) => k.kind);
const HEAD_WORDS: readonly string[] = [...Object.keys(SHORTHANDS), ...KIND_NAMES];
/** Every record has these besides its kind's fields. */
const COMMON = ['seq', 't', 'kind'];

export interface Filter {
  /** The record kinds it can match; undefined: any kind. */
  readonly kinds?: ReadonlySet<string>;
  /** Its conditions, shorthand presets included, aliases resolved. */
  readonly preds: readonly Pred[];
  readonly test: RecordTest;
  /** Index of the first token not part of the filter. */
  readonly next: number;
  /** How the head reads in messages: "a dma record", "fault-irq records (fault, page-request)". */
  readonly what: string;
  /** Check more conditions (an `if`, `condition N`) against the same kinds. */
  check(ps: readonly Pred[]): Pred[];
  /** Field names a `{field}` hole of a log point may use. */
  readonly fields: readonly string[];
}

export interface FilterOptions {
  /** The filter must start with a kind or shorthand (break, log). */
  readonly needKind?: boolean;
  /** Where the filter ends: a token for which this is true (`if`, `last`, a quoted text). */
  readonly endsAt?: (t: Token) => boolean;
  /** The loaded scenario's names; without them names are not checked. */
  readonly names?: ScenarioNames;
}

function headError(t: Token): ParseError {
  const word = t.text.replace(/^kind=/, '');
  const near = closest(word, HEAD_WORDS);
  return new ParseError(`unknown record kind "${word}"`, t.col + (t.text.length - word.length), near ? `did you mean "${near}"?` : `kinds: ${[...Object.keys(SHORTHANDS), ...[...KIND_NAMES].sort()].join(', ')}`);
}

/** The spec of `field` in the first of `kinds` that has it. */
function fieldSpec(kinds: readonly string[] | undefined, field: string): Field<unknown, boolean> | undefined {
  for (const k of kinds ?? KIND_NAMES) {
    const f = kindSpec(k)?.fields[field];
    if (f) return f;
  }
  return undefined;
}

function fieldsOf(kinds: readonly string[] | undefined): string[] {
  const out = new Set<string>();
  for (const k of kinds ?? KIND_NAMES) for (const f of Object.keys(kindSpec(k)?.fields ?? {})) out.add(f);
  return [...out];
}

const NUMERIC = new Set(['int', 'hex', 'hex32', 'hex64', 'fnv32']);
const ORDER_OPS = new Set(['<', '<=', '>', '>=']);

/** A did-you-mean for a value: none for a number (larb 42 is not a typo of larb 2). */
function suggest(v: string, list: readonly string[]): string | undefined {
  if (parseNum(v) !== undefined) return undefined;
  const near = closest(v, list);
  return near && near.length > 1 ? near : undefined;
}

/** Does `v` name something in `list`? `mmu=1` names "mmu1". */
function listed(field: string, v: string, list: readonly string[]): boolean {
  return list.includes(v) || list.includes(`${field}${v}`) || (parseNum(v) !== undefined && list.includes(String(parseNum(v))));
}

/** Check one condition's operator and value against the field it names; throws at its column. */
function checkValue(p: Pred, shown: string, f: Field<unknown, boolean> | undefined, names: ScenarioNames | undefined): void {
  const col = p.col ?? 0;
  const v = p.value;
  const format = shown === 'seq' || shown === 't' ? 'int' : shown === 'kind' ? 'str' : (f?.format ?? 'str');
  const numeric = NUMERIC.has(format) || f?.codec?.numeric === true;
  if (p.range && !numeric) throw new ParseError(`${shown} is not a number: a LO..HI range cannot match it`, col, 'ranges work on addresses, sizes and counts');
  if (p.op === '~') return; // "contains", on the text as shown: any text is fine
  if (ORDER_OPS.has(p.op) && !numeric) throw new ParseError(`${shown} is ${format === 'bool' ? 'true or false' : 'text'}: it cannot be compared with ${p.op}`, col, 'use = != or ~ (contains)');
  if (numeric && !p.range) {
    const ok = parseNum(v) !== undefined || f?.words.includes(v) || (format === 'fnv32' && /^[0-9a-f]{1,8}$/i.test(v)) || (f?.nullable && v === 'null');
    if (!ok) throw new ParseError(`"${v}" is not a number, and ${shown} holds one`, col, `e.g. ${shown}=4096 or ${shown}=0x1000${f?.words.length ? ` (or ${f.words.join(', ')})` : ''}`);
  }
  if (format === 'bool' && !['true', 'false', '1', '0'].includes(v)) throw new ParseError(`${shown} is true or false, not "${v}"`, col);
  if (f?.values && !listed(p.field, v, f.values)) {
    const near = suggest(v, f.values);
    throw new ParseError(`${shown} is never "${v}"`, col, near ? `did you mean "${near}"? (one of: ${f.values.join(', ')})` : `one of: ${f.values.join(', ')}`);
  }
  // An enum's values are the authority; other name fields are checked against the scenario.
  const known = p.field in NAME_FIELDS && !f?.values ? names?.known(p.field) : undefined;
  if (known && (p.op === '=' || p.op === '!=') && !p.range && !listed(p.field, v, known)) {
    const what = NAME_FIELDS[p.field as NameField];
    const near = suggest(v, known);
    const list = known.length ? `${what}s here: ${known.join(', ')}` : `this scenario has no ${what}s`;
    throw new ParseError(`no ${what} "${v}" in this scenario`, col, near ? `did you mean "${near}"? (${list})` : list);
  }
}

/**
 * Parse a filter from toks[from..]: the head, then conditions (with an optional `where`),
 * until a token `endsAt` accepts or the end.
 */
export function parseFilter(toks: readonly Token[], from: number, opts: FilterOptions = {}): Filter {
  let end = from;
  while (end < toks.length && !(opts.endsAt?.(toks[end]))) end++;
  let i = from;
  let kinds: string[] | undefined;
  let preset: readonly Pred[] = [];
  let aliases: Readonly<Record<string, string>> = {};
  let headWord: string | undefined;
  const first = toks[i];
  if (first && i < end && !first.quoted && first.text !== 'where' && !/[=<>!~]/.test(first.text.replace(/^kind=/, ''))) {
    const word = first.text.replace(/^kind=/, '');
    const sh = first.text.startsWith('kind=') ? undefined : SHORTHANDS[word];
    if (sh) {
      kinds = [...sh.kinds];
      preset = sh.preset ?? [];
      aliases = sh.aliases ?? {};
    } else if (kindSpec(word)) kinds = [word];
    else throw headError(first);
    headWord = word;
    i++;
  } else if (opts.needKind) {
    const at = first && i < end ? first.col : toks.length ? toks[toks.length - 1].col + toks[toks.length - 1].text.length + 1 : 0;
    throw new ParseError('which records?', at, 'start with a kind or shorthand: fault, fault-irq, inval, notifier, ..., or kind=KIND');
  }
  // Conditions; `where` and `and` may separate them.
  const part = toks.slice(0, end).filter((t, k) => k < i || t.text !== 'where' || t.quoted);
  const preds = parsePreds(part, i, []).preds;
  const whereAt = toks.slice(i, end).find((t) => t.text === 'where' && !t.quoted);
  if (whereAt && !preds.some((p) => (p.col ?? 0) > whereAt.col)) throw new ParseError('`where` needs a condition', whereAt.col, 'e.g. where dev=vdec0');
  // kind=K among them narrows the kinds.
  const rest: Pred[] = [];
  for (const p of preds) {
    if (p.field === 'kind' && p.op === '=' && !p.range) {
      if (!kindSpec(p.value)) throw headError({ text: p.value, col: (p.col ?? 0) + 5, quoted: false });
      if (kinds && !kinds.includes(p.value)) throw new ParseError(`a ${headWord} filter never matches a ${p.value} record`, p.col ?? 0, `${headWord} matches ${kinds.join(', ')}`);
      kinds = [p.value];
      headWord ??= p.value;
      continue;
    }
    rest.push(p);
  }
  const what = !kinds ? 'record' : kinds.length === 1 && headWord === kinds[0] ? `a ${kinds[0]} record` : `a ${headWord} record (${kinds.join(', ')})`;
  const fields = [...Object.keys(aliases), ...fieldsOf(kinds), ...COMMON];
  /**
   * `port=M4U_PORT_...` (dt-binding names): on records with larb and port, that larb and
   * port; on the faulting access (no port field), the scenario device sitting on it.
   */
  const portName = (p: Pred): Pred[] | undefined => {
    if (p.field !== 'port' || !/^M4U_PORT_/.test(p.value) || p.op !== '=' || p.range) return undefined;
    const col = p.col ?? 0;
    const found = opts.names?.m4uPort?.(p.value);
    if (!found) {
      if (!opts.names?.m4uPortNames) throw new ParseError(`"${p.value}" is an M4U port name, and this scenario has no M4U`, col);
      const near = closest(p.value, opts.names.m4uPortNames);
      throw new ParseError(`no port "${p.value}" on this SoC's M4U`, col, near ? `did you mean "${near}"?` : 'port names: include/dt-bindings/memory/<soc>-larb-port.h');
    }
    if (fields.includes('port') && fields.includes('larb')) return [{ ...p, value: String(found.port) }, { field: 'larb', op: '=', value: String(found.larb), col }];
    if (fields.includes('dev')) {
      if (found.devs.length !== 1) throw new ParseError(`${found.devs.length ? 'several devices sit' : 'no device sits'} on ${p.value} (larb ${found.larb} port ${found.port}) in this scenario`, col, found.devs.length ? `name one: dev=${found.devs.join(' or dev=')}` : 'the driver\'s report names ports: break fault-irq port=...');
      return [{ field: 'dev', op: '=', value: found.devs[0], col }];
    }
    return undefined;
  };
  const check = (ps: readonly Pred[]): Pred[] =>
    ps.flatMap((p) => {
      const named = portName(p);
      if (named) return named;
      const field = aliases[p.field] ?? p.field;
      if (!fields.includes(p.field)) {
        const near = closest(p.field, fields);
        const list = `fields: ${fields.filter((f) => !COMMON.includes(f)).join(', ')}`;
        // The faulting access knows less than the driver's report (larb, port, st1...).
        const later = headWord === 'fault' && fieldsOf(REPORT_KINDS).includes(p.field) ? `the driver's report has it: break fault-irq ${predText(p)}` : undefined;
        const hint = later ?? (near ? `did you mean "${near}"? (${list})` : list);
        throw new ParseError(kinds ? `${what} has no field "${p.field}"` : `no record kind has a field "${p.field}"`, p.col ?? 0, hint);
      }
      checkValue(p, p.field, fieldSpec(kinds, field), opts.names);
      return field === p.field ? p : { ...p, field };
    });
  const all = [...preset, ...check(rest)];
  const kindSet = kinds ? new Set(kinds) : undefined;
  const test: RecordTest = kindSet ? (r: TraceRecord) => kindSet.has(r.kind) && testAll(all, r) : (r: TraceRecord) => testAll(all, r);
  return { kinds: kindSet, preds: all, test, next: end, what, check, fields };
}

/** A whole line as a filter (the TUI's `f`, `run --filter`); throws a ParseError. */
export function compileFilter(text: string, names?: ScenarioNames): Filter {
  return parseFilter(tokenize(text), 0, { names });
}
