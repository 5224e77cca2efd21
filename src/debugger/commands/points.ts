/**
 * Breakpoints, watchpoints and log points: break, tbreak, watch, log, delete, enable,
 * disable, ignore, condition, commands. Specs are kept as typed, so the workspace saves
 * them as text and re-parses them when the scenario is loaded again.
 */
import { type Command, type CommandCall, defineCommand, ok, restFrom } from '../command.ts';
import { knownKinds, SHORTHANDS, kindFields } from '../kinds.ts';
import { REPORT_KINDS } from '../filter.ts';
import { parsePreds, predText } from '../match.ts';
import { ParseError, type Token } from '../parser.ts';
import type { Point } from '../points.ts';
import { parseBreakSpec, parseWatchSpec } from '../specs.ts';
import type { Session } from '../session.ts';
import { closest } from '../../scenario/suggest.ts';
import { kfuncNames, kfuncsNamed } from '../../sim/core/kstack.ts';
import type { TraceRecord } from '../../sim/core/trace.ts';

/** gdb's note when a new point has the same spec as existing ones. */
function sameAs(s: Session, p: Point): string[] {
  const same = s.points.all().filter((q) => q !== p && q.type === p.type && q.what === p.what);
  if (!same.length) return [];
  const kind = p.type === 'watchpoint' ? 'watchpoint' : p.type === 'logpoint' ? 'log point' : 'breakpoint';
  return [`Note: ${kind}${same.length > 1 ? 's' : ''} ${same.map((q) => q.id).join(', ')} also set at ${p.what}.`];
}

/**
 * `break FUNCTION [FILTER]`: every record emitted while the models are inside that kernel
 * function (its chain has the frame), narrowed by an optional filter. Null when the first
 * word is a record kind or shorthand, or no model emulates a function of that name.
 */
function functionBreak(call: CommandCall, temporary: boolean) {
  const { session: s, args } = call;
  const head = args[0];
  if (!head || head.quoted || SHORTHANDS[head.text] || knownKinds().includes(head.text)) return null;
  const funcs = kfuncsNamed(head.text);
  if (!funcs.length) {
    // Not a kind either: a near kernel function name is the likelier meaning for a_b_c words.
    const near = head.text.includes('_') && !head.text.includes('=') ? closest(head.text, kfuncNames()) : undefined;
    if (near) throw new ParseError(`no record kind or modelled kernel function "${head.text}"`, head.col, `did you mean "${near}"?`);
    return null;
  }
  const ids = new Set(funcs.map((f) => f.id));
  const rest = args.length > 1 ? parseBreakSpec(args, 1, { names: s.names(), kindOptional: true }) : undefined;
  if (rest && rest.next < args.length) throw new ParseError(`unexpected "${args[rest.next].text}"`, args[rest.next].col, 'conditions go after `if`');
  const m = s.machine;
  // Moving forward the record under test was just emitted: its chain is the current one
  // (fast-forward keeps no store); looking back, the store has each record's chain.
  const under = (r: TraceRecord) => m.kstack.chainHas(m.haltTest !== undefined ? m.kstack.cur : m.trace.stackOf(r.seq), ids);
  const test = rest ? (r: TraceRecord) => under(r) && rest.test(r) : under;
  const p = s.points.add({ type: 'breakpoint', what: restFrom(call, head), test, kinds: rest?.kinds, temporary, condition: rest?.condition ?? [], checkCondition: rest?.filter?.check });
  s.persist();
  return ok(...sameAs(s, p), `${temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${p.id}: ${p.what} (records emitted under ${head.text}, ${funcs[0].file})`);
}

function addBreak(call: CommandCall, temporary: boolean) {
  const fb = functionBreak(call, temporary);
  if (fb) return fb;
  const { session: s, args } = call;
  const spec = parseBreakSpec(args, 0, { names: s.names() });
  if (spec.next < args.length) throw new ParseError(`unexpected "${args[spec.next].text}"`, args[spec.next].col, 'conditions go after `if`');
  const p = s.points.add({ type: 'breakpoint', what: restFrom(call, args[0]), test: spec.test, kinds: spec.kinds, temporary, condition: spec.condition, checkCondition: spec.filter?.check });
  s.persist();
  return ok(...sameAs(s, p), `${temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${p.id}: ${p.what}`);
}

function completeBreak(_s: Session, i: number, prev: readonly string[]): readonly string[] {
  if (i === 0) return [...Object.keys(SHORTHANDS), ...knownKinds().map((k) => `kind=${k}`)];
  const first = prev[0] ?? '';
  const sh = SHORTHANDS[first];
  const kinds = sh ? sh.kinds : [first.startsWith('kind=') ? first.slice(5) : first];
  return [...Object.keys(sh?.aliases ?? {}), ...kinds.flatMap((k) => kindFields(k) ?? [])].map((f) => `${f}=`).concat(['where', 'if']);
}

const BREAK_HELP =
  '  break fault [dev=D] [iova=LO..HI] [mmu=0|1] [type=T] [dir=read|write]\n' +
  '        the faulting device access: the moment the hardware faults, before any driver\n' +
  '        runs (a dma record with result=fault; iova and type name its addr and fault)\n' +
  `  break fault-irq [larb=N] [port=N] [mmu=0|1] [iommu=I] [dev=D] ...\n` +
  `        the driver's report of it, later (${REPORT_KINDS.join(', ')})\n` +
  '  break inval [scope=all|range|domain|pasid|addr] [iommu=I] [pasid=N]\n' +
  '  break notifier [op=OP] [mm=MM]\n' +
  '  break swiotlb-full | break coherency | break stale-tlb\n' +
  '  break KIND [FIELD OP VALUE ...] [where FIELD OP VALUE [and ...]]   (any record kind)\n' +
  '  break FUNCTION [KIND] [FIELD OP VALUE ...]   any record emitted while the models are\n' +
  '        inside that kernel function (__arm_v7s_unmap, swiotlb_tbl_map_single, ...: `bt`\n' +
  '        shows the chain)\n' +
  '  ... [if FIELD OP VALUE [and ...]]                                  (a condition)\n' +
  '  OP is = != < <= > >= ~ (contains); numbers compare numerically (hex too); LO..HI is a\n' +
  '  half-open range. Fields, values and names (devices, domains, larbs, ...) are checked\n' +
  '  against the record kinds and the scenario. It stops AT the matching record: the\n' +
  '  machine as it was right after the record was emitted, inside its event.';

const breakCmd = defineCommand({
  name: 'break',
  aliases: ['b', 'br'],
  usage: 'break KIND [FIELD=VALUE ...] [where ...] [if ...]',
  summary: 'Stop at trace records: faults, invalidations, notifiers, any kind',
  subcommands: [...Object.keys(SHORTHANDS), 'kind='],
  help: 'break SPEC\n' + BREAK_HELP,
  examples: ['break fault', 'break fault mmu=1', 'break __arm_v7s_unmap', 'break swiotlb_tbl_map_single', 'break klog text~"buffer is full"', 'break fault-irq larb=1', 'break kind=dma where dev=vdec0 and len>=64', 'break kind=map where size>=16384', 'break inval scope=all', 'break fault if dir=read'],
  run: (call) => addBreak(call, false),
  complete: completeBreak,
});

const tbreak = defineCommand({
  name: 'tbreak',
  aliases: ['tb'],
  usage: 'tbreak SPEC',
  summary: 'A one-shot breakpoint: deleted when it stops',
  subcommands: [...Object.keys(SHORTHANDS), 'kind='],
  help: 'tbreak SPEC\n  As `break`, but the breakpoint is deleted the first time it stops ("Temporary\n  breakpoint N, ...").',
  examples: ['tbreak fault', 'tbreak kind=unmap where dev=vdec0'],
  run: (call) => addBreak(call, true),
  complete: completeBreak,
});

const watch = defineCommand({
  name: 'watch',
  aliases: ['w'],
  usage: 'watch iova|pa|pte|bus-sel|slot|reg ...',
  summary: 'Stop when something touches an IOVA/PA range, a PTE, the bus selection, a SWIOTLB slot or an M4U/VT-d register',
  subcommands: ['iova', 'pa', 'pte', 'bus-sel', 'slot', 'reg'],
  help:
    'watch iova LO..HI [domain=D]  any map, unmap, PTE write (with an iova), access, fault or\n' +
    '                              invalidation touching the range\n' +
    'watch pa LO..HI               any mapping, access, copy or bounce touching the PAs\n' +
    'watch pte DOMAIN IOVA         PTE writes (v7s L1/L2 index of IOVA) and map/unmap in DOMAIN\n' +
    'watch bus-sel                 writes of the SMI bus selection\n' +
    'watch slot N                  SWIOTLB records covering slot N\n' +
    'watch reg BLOCK REG           writes of an M4U register (FAULT_ST1: also the hardware\'s\n' +
    '                              latch at a fault and the ISR\'s clear), or the driver\'s\n' +
    '                              writes of a DMAR register (watch reg dmar0 FSTS)\n' +
    '  Ranges are LO..HI (HI excluded), LO+SIZE or one address. `if FIELD OP VALUE` adds a\n' +
    '  condition. It stops AT the record that touched it, as a breakpoint does.',
  examples: ['watch iova 0x7f000000..0x7f001000', 'watch pa 0x40002000+4096', 'watch pte mtk-dom0 0xffffc000', 'watch bus-sel', 'watch reg m4u0 FAULT_ST1'],
  run: (call) => {
    const { session: s, args } = call;
    const spec = parseWatchSpec(args, 0, s.names());
    const p = s.points.add({ type: 'watchpoint', what: restFrom(call, args[0]), test: spec.test, kinds: spec.kinds, temporary: false, condition: spec.condition });
    s.persist();
    return ok(...sameAs(s, p), `Watchpoint ${p.id}: ${p.what}`);
  },
  complete: (_s, i) => (i === 0 ? ['iova', 'pa', 'pte', 'bus-sel', 'slot', 'reg'] : []),
});

const log = defineCommand({
  name: 'log',
  aliases: ['dprintf'],
  usage: 'log SPEC "TEXT {field}"',
  summary: 'A log point: print TEXT (with record fields) at each match and keep going',
  subcommands: [...Object.keys(SHORTHANDS), 'kind='],
  help: 'log SPEC "TEXT"\n  Like break, but prints TEXT with {field} replaced from the matching record and does\n  not stop (gdb\'s dprintf). Every {field} must be a field of the records it matches.',
  examples: ['log kind=dma where dev=vdec0 "vdec0 {dir} {addr} -> {pa}"', 'log fault "{dev} faulted at {addr}"'],
  run: (call) => {
    const { session: s, args } = call;
    const spec = parseBreakSpec(args, 0, { stopAtQuoted: true, names: s.names() });
    const text = args[spec.next];
    if (!text || !text.quoted) {
      const last = args[args.length - 1];
      throw new ParseError('a log point needs its text in double quotes', last ? last.col + last.text.length + 1 : 4, 'e.g. log kind=dma "{dev} {addr}"');
    }
    if (spec.next + 1 < args.length) throw new ParseError(`unexpected "${args[spec.next + 1].text}"`, args[spec.next + 1].col);
    const fields = spec.filter?.fields ?? [];
    for (const m of text.text.matchAll(/\{([\w-]+)\}/g)) {
      if (fields.includes(m[1])) continue;
      const near = closest(m[1], fields);
      throw new ParseError(`${spec.filter?.what ?? 'the record'} has no field "${m[1]}" to print`, text.col + 2 + m.index, near ? `did you mean "{${near}}"?` : `fields: ${fields.join(', ')}`);
    }
    const p = s.points.add({ type: 'logpoint', what: restFrom(call, args[0]), test: spec.test, kinds: spec.kinds, temporary: false, condition: spec.condition, template: text.text });
    s.persist();
    return ok(...sameAs(s, p), `Log point ${p.id}: ${p.what}`);
  },
  complete: completeBreak,
});

/** Point numbers from args ("1 3 5", "2-4"); none means all. */
function pointsArg(s: Session, args: readonly Token[]): Point[] {
  if (!args.length) return [...s.points.all()];
  const out: Point[] = [];
  for (const t of args) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(t.text);
    if (!m) throw new ParseError(`bad breakpoint number "${t.text}"`, t.col, 'numbers as listed by `info breakpoints`');
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : lo;
    if (hi < lo) throw new ParseError(`bad range "${t.text}": ${hi} is below ${lo}`, t.col, 'N-M with N <= M');
    // Walk the points, not the numbers: `delete 1-99999999999` is one pass over a short list.
    const inRange = s.points.all().filter((p) => p.id >= lo && p.id <= hi);
    if (!inRange.length && lo === hi) throw new ParseError(`no breakpoint ${lo}`, t.col, '`info breakpoints` lists them');
    for (const p of inRange) if (!out.includes(p)) out.push(p);
  }
  return out;
}

function onePoint(s: Session, t: Token | undefined, after: number): Point {
  if (!t) throw new ParseError('which breakpoint?', after, 'a number from `info breakpoints`');
  if (!/^\d+$/.test(t.text)) throw new ParseError(`expected one breakpoint number, got "${t.text}"`, t.col, 'a number from `info breakpoints`');
  return pointsArg(s, [t])[0];
}

const del = defineCommand({
  name: 'delete',
  aliases: ['d', 'del'],
  usage: 'delete [N ...]',
  summary: 'Delete breakpoints (all when no number is given)',
  help: 'delete [N|N-M ...]\n  Delete the numbered breakpoints, watchpoints or log points; all of them without arguments.',
  examples: ['delete 1', 'delete 2-3', 'delete'],
  run: ({ session: s, args }) => {
    const ps = pointsArg(s, args);
    for (const p of ps) s.points.delete(p.id);
    s.persist();
    return ok(ps.length ? `Deleted ${ps.map((p) => p.id).join(', ')}.` : 'No breakpoints.');
  },
  complete: (s) => s.points.all().map((p) => String(p.id)),
});

function toggle(name: string, on: boolean): Command {
  return defineCommand({
    name,
    aliases: [],
    usage: `${name} [N ...]`,
    summary: `${on ? 'Enable' : 'Disable'} breakpoints (all when no number is given)`,
    help: `${name} [N|N-M ...]\n  ${on ? 'Enable' : 'Disable'} the numbered breakpoints, watchpoints or log points; all without arguments.`,
    examples: on ? ['enable 1', 'en'] : ['disable 1', 'dis 1'],
    run: ({ session: s, args }) => {
      const ps = pointsArg(s, args);
      for (const p of ps) p.enabled = on;
      s.persist();
      return ok(ps.length ? `${on ? 'Enabled' : 'Disabled'} ${ps.map((p) => p.id).join(', ')}.` : 'No breakpoints.');
    },
    complete: (s) => s.points.all().map((p) => String(p.id)),
  });
}

const ignore = defineCommand({
  name: 'ignore',
  usage: 'ignore N COUNT',
  summary: 'Let breakpoint N pass its next COUNT hits',
  help: 'ignore N COUNT\n  The next COUNT hits of breakpoint N are counted but do not stop.',
  examples: ['ignore 1 2'],
  run: ({ session: s, args, word }) => {
    const p = onePoint(s, args[0], word.col + word.text.length + 1);
    const c = args[1];
    if (!c || !/^\d+$/.test(c.text)) throw new ParseError('ignore how many hits?', c ? c.col : args[0].col + args[0].text.length + 1, 'ignore N COUNT');
    p.ignore = Number(c.text);
    s.persist();
    return ok(p.ignore ? `Will ignore the next ${p.ignore} hits of breakpoint ${p.id}.` : `Breakpoint ${p.id} will stop at its next hit.`);
  },
});

const condition = defineCommand({
  name: 'condition',
  aliases: ['cond'],
  usage: 'condition N [FIELD OP VALUE [and ...]]',
  summary: 'Set (or clear) the condition of breakpoint N',
  help: 'condition N [FIELD OP VALUE [and ...]]\n  Breakpoint N stops only when the matching record also passes the condition (checked\n  against its record kinds); without one, the condition is removed.',
  examples: ['condition 1 dir=read and len>=64', 'condition 1'],
  run: ({ session: s, args, word }) => {
    const p = onePoint(s, args[0], word.col + word.text.length + 1);
    const preds = parsePreds(args, 1).preds;
    p.condition = p.checkCondition ? p.checkCondition(preds) : preds;
    s.persist();
    return ok(p.condition.length ? `Breakpoint ${p.id} now has a condition.` : `Breakpoint ${p.id} is now unconditional.`);
  },
  complete: (s, i) => (i === 0 ? s.points.all().map((p) => String(p.id)) : []),
});

const commands = defineCommand({
  name: 'commands',
  usage: 'commands N [CMD; CMD ...]',
  summary: 'Commands to run when breakpoint N stops (lines up to `end`)',
  help:
    'commands N\n  CMD\n  ...\n  end\n  Run the commands each time breakpoint N stops (gdb style). On one line:\n' +
    '  commands N print addr; info iotlb\n  `commands N` followed directly by `end` clears them.',
  examples: ['commands 1 print addr; info iotlb'],
  run: (call) => {
    const { session: s, args, word } = call;
    const p = onePoint(s, args[0], word.col + word.text.length + 1);
    if (args.length > 1) {
      p.commands = restFrom(call, args[1])
        .split(';')
        .map((c) => c.trim())
        .filter((c) => c && c !== 'end');
      s.persist();
      return ok(`${p.commands.length} command(s) attached to ${p.id}`);
    }
    s.startCollecting(p);
    return ok(`Type commands for breakpoint ${p.id}, one per line; end with "end".`);
  },
  complete: (s, i) => (i === 0 ? s.points.all().map((p) => String(p.id)) : []),
});

export const POINT_COMMANDS: Command[] = [breakCmd, tbreak, watch, log, del, toggle('enable', true), toggle('disable', false), ignore, condition, commands];
