/**
 * Inspection: info TOPIC, x/N[bhwg][xdu] PA, print FIELD, trace [FILTER] [last N].
 * Model-specific `info` topics come from the inspector registry (inspect/).
 */
import { readBytes } from '../../sim/mem/phys.ts';
import type { TraceRecord } from '../../sim/core/trace.ts';
import { decodeLine, fieldNames, fieldText, recordLine } from '../../sim/trace/codec.ts';
import { closest } from '../../scenario/suggest.ts';
import { type Command, defineCommand, ok } from '../command.ts';
import { formatRecordRow, formatTime, hexOf, parseNum } from '../format.ts';
import { available, inspector, inspectors } from '../inspect/index.ts';
import { SHORTHANDS, knownKinds } from '../kinds.ts';
import { type Filter, parseFilter } from '../filter.ts';
import { kindOfLine } from '../recording.ts';
import { ParseError, type Token } from '../parser.ts';
import type { Session } from '../session.ts';

function infoBreakpoints(s: Session): string[] {
  const ps = s.points.all();
  if (!ps.length) return ['No breakpoints, watchpoints or log points.'];
  const rows = ['Num  Type        Enb  Hits  What'];
  for (const p of ps) {
    const type = p.temporary ? 'tbreak' : p.type;
    rows.push(`${String(p.id).padEnd(4)} ${type.padEnd(11)} ${p.enabled ? 'y' : 'n'}    ${String(p.hits).padEnd(5)} ${p.what}`);
    if (p.condition.length) rows.push(`        stop only if ${p.condition.map((c) => `${c.field}${c.op}${c.value}`).join(' and ')}`);
    if (p.ignore) rows.push(`        will ignore next ${p.ignore} hits`);
    for (const c of p.commands) rows.push(`        > ${c}`);
  }
  return rows;
}

const SESSION_TOPICS: Record<string, { summary: string; run: (s: Session) => string[] }> = {
  breakpoints: { summary: 'Breakpoints, watchpoints and log points with hit counts', run: infoBreakpoints },
  bookmarks: {
    summary: 'Named positions (goto NAME)',
    run: (s) => (s.bookmarks.size ? [...s.bookmarks].map(([n, e]) => `${n.padEnd(16)} event ${e}`) : ['No bookmarks.']),
  },
  checkpoints: {
    summary: 'Snapshots kept for reverse motion',
    run: (s) => {
      const c = s.checkpoints;
      const ev = c.events();
      return [`${c.count} checkpoints (max ${c.max}), every ${c.interval} events, ~${Math.round(c.snapshotBytes / 1024)} KiB each (deflated), ${(c.totalBytes / 2 ** 20).toFixed(1)} MiB in all`, `at events: ${ev.slice(0, 12).join(' ')}${ev.length > 12 ? ` ... ${ev[ev.length - 1]}` : ''}`];
    },
  },
  recording: {
    summary: 'How far the recording reaches and how much it weighs',
    run: (s) => {
      const r = s.recording;
      return [`${r.frontier} events, ${r.count} records, ${(r.bytes() / 2 ** 20).toFixed(1)} MiB${r.endEvents !== undefined ? ', to the end' : ''}`, `${r.verified} records re-checked by replays`];
    },
  },
};
const TOPIC_ALIASES: Record<string, string> = { b: 'breakpoints', break: 'breakpoints', watchpoints: 'breakpoints', watch: 'breakpoints' };

function topics(): string[] {
  return [...Object.keys(SESSION_TOPICS), ...inspectors().map((i) => i.name)].sort();
}

const info = defineCommand({
  name: 'info',
  aliases: ['i'],
  usage: 'info TOPIC [ARGS]',
  summary: 'Inspect state: breakpoints, devices, kernels, iommu, pt, iotlb, swiotlb, smi, notifiers, ...',
  get subcommands() {
    return topics();
  },
  get help() {
    const lines = ['info TOPIC [ARGS]'];
    for (const [k, v] of Object.entries(SESSION_TOPICS)) lines.push(`  info ${k.padEnd(17)} ${v.summary}`);
    for (const i of inspectors()) lines.push(`  ${i.usage.padEnd(22)} ${i.summary}`);
    return lines.join('\n');
  },
  run: ({ session: s, args }) => {
    const t = args[0];
    if (!t) return ok(...info.help.split('\n').slice(1).map((l) => l.trimStart()));
    // gdb style: exact, an alias (`i b`), or an unambiguous prefix (`i check`).
    let name = TOPIC_ALIASES[t.text] ?? t.text;
    if (!SESSION_TOPICS[name] && !inspector(name)) {
      const pre = topics().filter((x) => x.startsWith(t.text));
      if (pre.length === 1) name = pre[0];
      else if (pre.length > 1) throw new ParseError(`ambiguous info topic "${t.text}": ${pre.join(', ')}`, t.col, 'type more of it');
    }
    const st = SESSION_TOPICS[name];
    if (st) return ok(...st.run(s));
    const insp = inspector(name);
    if (!insp) {
      const near = closest(t.text, topics());
      throw new ParseError(`no info topic "${t.text}"`, t.col, near ? `did you mean "${near}"?` : `topics: ${topics().join(', ')}`);
    }
    if (!available(insp, s.machine)) return ok(`no such model in this scenario (${insp.usage} needs ${insp.models?.map((k) => k.name).join(' or ')})`);
    return ok(...insp.run({ machine: s.machine, built: s.built }, args.slice(1).map((a) => a.text)));
  },
  examples: ['info breakpoints', 'i b', 'info iommu', 'info iotlb', 'info smi', 'info pt mtk-dom0 0x7f000000', 'info devices', 'info checkpoints', 'info recording'],
  complete: (_s, i) => (i === 0 ? topics() : []),
});

const UNIT: Record<string, number> = { b: 1, h: 2, w: 4, g: 8 };

function parseFmt(word: Token): { n: number; unit: number; fmt: string } {
  const m = /^x(?:\/(\d*)([bhwgxdu]*))?$/.exec(word.text);
  if (!m) throw new ParseError(`bad format "${word.text}"`, word.col, 'x/N[b|h|w|g][x|d|u], e.g. x/16xb 0x40000000');
  let unit = 1;
  let fmt = 'x';
  for (const c of m[2] ?? '') {
    if (UNIT[c]) unit = UNIT[c];
    else fmt = c;
  }
  return { n: m[1] ? Number(m[1]) : 16, unit, fmt };
}

const examine = defineCommand({
  name: 'x',
  usage: 'x[/N[bhwg][xdu]] PA',
  summary: 'Examine physical memory: N units of b(yte) h(alf) w(ord) g(iant), in hex/decimal',
  help: 'x/N[bhwg][xdu] PA\n  Dump N units of physical memory from PA (little-endian), gdb style. Default x/16xb.\n  It reads memory as it is at the current position (at a record: right after it).',
  examples: ['x/8xw 0x40000000', 'x/64xb 0x40010000', 'x 0x40002000'],
  run: ({ session: s, args, word }) => {
    const f = parseFmt(word);
    const a = args[0];
    if (!a) throw new ParseError('examine which address?', word.col + word.text.length + 1, 'x/16xb 0x40000000');
    const pa = parseNum(a.text);
    if (pa === undefined) throw new ParseError(`bad address "${a.text}"`, a.col, 'a physical address, e.g. 0x40000000');
    if (f.n * f.unit > 1 << 16) throw new ParseError('at most 64 KiB at once', word.col);
    if (pa + f.n * f.unit > 2 ** 48) throw new ParseError(`${a.text} is beyond the 48-bit physical address space`, a.col);
    const bytes = readBytes(s.machine.state.mem, pa, f.n * f.unit);
    const perLine = Math.max(1, 16 / f.unit);
    const lines: string[] = [];
    for (let i = 0; i < f.n; i += perLine) {
      const cells: string[] = [];
      for (let j = i; j < Math.min(f.n, i + perLine); j++) {
        let v = 0;
        for (let k = f.unit - 1; k >= 0; k--) v = v * 256 + bytes[j * f.unit + k];
        cells.push(f.fmt === 'x' ? v.toString(16).padStart(2 * f.unit, '0') : String(v));
      }
      lines.push(`${hexOf(pa + i * f.unit)}: ${cells.join(' ')}`);
    }
    return ok(...lines);
  },
});

/** The record `print` looks at: the one the machine stands at, else the last one emitted. */
function currentRecord(s: Session): TraceRecord | undefined {
  const n = s.machine.state.traceCount;
  return n ? s.recording.get(n - 1) : undefined;
}

const print = defineCommand({
  name: 'print',
  aliases: ['p'],
  usage: 'print [FIELD|$events|$t|$seq]',
  summary: 'Print a field of the stop record (or the whole record)',
  help: 'print [FIELD]\n  A field of the record the machine stands at (after a breakpoint, stepi or goto SEQ; else\n  the last record emitted); the whole record without FIELD. $events, $t and $seq give the\n  position.',
  examples: ['print', 'print addr', 'print $events', 'print $t'],
  run: ({ session: s, args }) => {
    const a = args[0];
    const st = s.machine.state;
    if (a?.text === '$events') return ok(`$events = ${st.events}`);
    if (a?.text === '$t') return ok(`$t = ${st.now} (${formatTime(st.now)})`);
    const r = currentRecord(s);
    if (!r) return ok('No record yet (nothing has run).');
    if (!a) return ok(recordLine(r));
    const f = a.text.replace(/^\$/, '');
    const names = ['seq', 't', 'kind', ...fieldNames(r)];
    if (!names.includes(f)) {
      const near = closest(f, names);
      throw new ParseError(`the ${r.kind} record ${r.seq} has no field "${f}"`, a.col, near ? `did you mean "${near}"?` : `fields: ${names.join(', ')}`);
    }
    return ok(`${f} = ${f === 'seq' || f === 't' || f === 'kind' ? String(r[f]) : fieldText(r, f)}`);
  },
  complete: (s) => {
    const r = currentRecord(s);
    return r ? ['seq', 't', 'kind', ...fieldNames(r)] : [];
  },
});

/** `trace [FILTER] [last N]`: the filter grammar (filter.ts), then how many. */
function traceFilter(s: Session, args: readonly Token[]): { filter: Filter; last: number } {
  let end = args.length;
  let last = 20;
  if (end >= 2 && args[end - 2].text === 'last') {
    const n = parseNum(args[end - 1].text);
    if (n === undefined || n < 1) throw new ParseError(`bad count "${args[end - 1].text}"`, args[end - 1].col, 'last N, e.g. last 5');
    last = n;
    end -= 2;
  }
  const filter = parseFilter(args.slice(0, end), 0, { names: s.names() });
  return { filter, last };
}

const trace = defineCommand({
  name: 'trace',
  aliases: ['t', 'tr'],
  usage: 'trace [FILTER] [last N]',
  summary: 'Show recorded records up to the current position, filtered (last 20 by default)',
  help:
    'trace [FILTER] [last N]\n  The last N records (default 20) up to the current position that match FILTER (the\n' +
    '  grammar of break: [KIND|SHORTHAND] [FIELD OP VALUE ...] [where ...]; see Filters).',
  examples: ['trace', 'trace dma dev=vdec0 last 5', 'trace kind=map where size>=16384', 'trace fault', 'trace last 3'],
  run: ({ session: s, args }) => {
    const { filter: f, last } = traceFilter(s, args);
    const quoted = f.kinds && new Set([...f.kinds].map((k) => `"${k}"`));
    const out: string[] = [];
    for (let seq = s.machine.state.traceCount - 1; seq >= 0 && out.length < last; seq--) {
      const line = s.recording.line(seq);
      if (quoted && !quoted.has(kindOfLine(line))) continue;
      const r = decodeLine(line);
      if (f.test(r)) out.push(formatRecordRow(r));
    }
    if (!out.length) return ok('No matching records.');
    return ok(...out.reverse());
  },
  complete: (_s, i) => (i === 0 ? [...Object.keys(SHORTHANDS), ...knownKinds()] : ['last', 'where']),
});

export const INSPECT_COMMANDS: Command[] = [info, examine, print, trace];
