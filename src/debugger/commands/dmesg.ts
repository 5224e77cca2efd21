/**
 * `dmesg [-l LEVELS] [FIELD OP VALUE ...]`: the kernel log up to the current position, as
 * dmesg prints it, narrowed by level and by the filter grammar over `klog` records
 * (`dmesg text~"buffer is full"` is `dmesg | grep "buffer is full"`).
 */
import { defineCommand, ok } from '../command.ts';
import { dmesgLine, parseLevels } from '../dmesg.ts';
import { compileFilter } from '../filter.ts';
import { parseNum } from '../format.ts';
import { ParseError } from '../parser.ts';
import { decodeLine } from '../../sim/trace/codec.ts';
import { kindOfLine } from '../recording.ts';

const dmesg = defineCommand({
  name: 'dmesg',
  usage: 'dmesg [-l LEVELS] [FIELD OP VALUE ...] [last N]',
  summary: 'The kernel log up to here, as dmesg prints it ([seconds.micros] text)',
  help:
    'dmesg [-l LEVELS] [FIELD OP VALUE ...] [last N]\n' +
    '  Every line the modelled kernel printed (klog records) up to the current position,\n' +
    '  timestamped from virtual time as printk does. -l keeps the given levels (comma-\n' +
    '  separated: emerg, alert, crit, err, warn, notice, info, debug). Conditions use the\n' +
    '  filter grammar over klog records: text~WORDS is grep, level=err a single level.\n' +
    '  `last N` keeps the newest N lines. `break klog text~"..."` stops where a line is printed.',
  examples: ['dmesg', 'dmesg -l err,warn', 'dmesg text~fault', 'dmesg text~"buffer is full" last 5'],
  run: ({ session: s, args, text }) => {
    let levels: Set<string> | undefined;
    let i = 0;
    if (args[0]?.text === '-l' || args[0]?.text === '--level') {
      const v = args[1];
      if (!v) throw new ParseError('-l needs levels', args[0].col + args[0].text.length + 1, 'e.g. dmesg -l err,warn');
      const l = parseLevels(v.text);
      if (typeof l === 'string') throw new ParseError(l, v.col);
      levels = l;
      i = 2;
    }
    let max = Infinity;
    let end = args.length;
    const lastAt = args.findIndex((t, k) => k >= i && t.text === 'last' && !t.quoted);
    if (lastAt >= 0) {
      const n = args[lastAt + 1] ? parseNum(args[lastAt + 1].text) : undefined;
      if (!n || n < 1) throw new ParseError('last how many?', args[lastAt + 1]?.col ?? args[lastAt].col + 5, 'e.g. dmesg last 20');
      if (lastAt + 2 < args.length) throw new ParseError(`unexpected "${args[lastAt + 2].text}"`, args[lastAt + 2].col);
      max = n;
      end = lastAt;
    }
    let test: ((r: ReturnType<typeof decodeLine>) => boolean) | undefined;
    if (end > i) {
      // The conditions as typed, behind the klog kind; errors point into the command line.
      const from = args[i].col;
      const to = end < args.length ? args[end].col : text.length;
      const cond = text.slice(from, to).trimEnd();
      try {
        test = compileFilter(`klog ${cond}`, s.names()).test;
      } catch (e) {
        if (e instanceof ParseError) throw new ParseError(e.message.replace('a klog record', 'a kernel log line'), Math.max(from, e.column - 5 + from), e.hint);
        throw e;
      }
    }
    const out: string[] = [];
    for (let seq = s.position + (s.at !== undefined ? 1 : 0) - 1; seq >= 0 && out.length < max; seq--) {
      const line = s.recording.line(seq);
      if (kindOfLine(line) !== '"klog"') continue;
      const r = decodeLine(line);
      if (levels && !levels.has(String((r as { level?: unknown }).level))) continue;
      if (test && !test(r)) continue;
      out.push(dmesgLine(r));
    }
    if (!out.length) return ok(levels || test ? 'No kernel log lines match up to here.' : 'The kernel has printed nothing up to here.');
    return ok(...out.reverse());
  },
});

export const DMESG_COMMANDS = [dmesg];
