/** `export perfetto|jsonl FILE [from SEQ] [to SEQ]`: the recording, or a part, to a file. */
import { type Command, defineCommand, ok } from '../command.ts';
import { parseNum } from '../format.ts';
import { ParseError } from '../parser.ts';
import { EXPORT_FORMATS, type ExportFormat, describeExport, exportRecords } from '../export/index.ts';

const exportCmd = defineCommand({
  name: 'export',
  usage: 'export perfetto|jsonl FILE [from SEQ] [to SEQ]',
  summary: 'Write the recording (or records SEQ..SEQ) as a Perfetto trace or JSON Lines',
  subcommands: [...EXPORT_FORMATS],
  help:
    'export perfetto|jsonl FILE [from SEQ] [to SEQ]\n' +
    '  Write every record recorded so far (or those from SEQ to SEQ, both included) to FILE:\n' +
    '  perfetto is a native Perfetto trace for ui.perfetto.dev (a track per device, IOMMU,\n' +
    '  SWIOTLB pool and mm; flows from each dma_map through its accesses to the unmap, from a\n' +
    '  fault to its report; counters of SWIOTLB slots, IOTLB entries and mappings); jsonl is\n' +
    '  the lines `dmadbg run --json` prints. A relative FILE is from the directory dmadbg\n' +
    '  started in. Over ssh there is no export (run `dmadbg export` where the files are).',
  examples: ['export perfetto /tmp/dmadbg-fault.pftrace', 'export perfetto /tmp/dmadbg-probe.pftrace from 0 to 40', 'export jsonl /tmp/dmadbg-fault.jsonl'],
  run: ({ session: s, args, word }) => {
    const [fmt, file, ...rest] = args;
    if (!fmt) throw new ParseError('export needs a format and a file', word.col + word.text.length + 1, 'e.g. export perfetto trace.pftrace');
    if (!(EXPORT_FORMATS as readonly string[]).includes(fmt.text)) throw new ParseError(`unknown format "${fmt.text}"`, fmt.col, `one of: ${EXPORT_FORMATS.join(', ')}`);
    if (!file) throw new ParseError('export needs a file name', fmt.col + fmt.text.length + 1, `e.g. export ${fmt.text} trace.${fmt.text === 'jsonl' ? 'jsonl' : 'pftrace'}`);
    const count = s.recording.count;
    let from = 0;
    let to = count - 1;
    for (let i = 0; i < rest.length; i += 2) {
      const w = rest[i];
      if (w.text !== 'from' && w.text !== 'to') throw new ParseError(`expected "from SEQ" or "to SEQ", got "${w.text}"`, w.col);
      const v = rest[i + 1];
      const n = v ? parseNum(v.text) : undefined;
      if (!v || n === undefined || !Number.isSafeInteger(n) || n < 0) throw new ParseError(`${w.text} needs a record number`, v?.col ?? w.col + w.text.length + 1, `records 0..${count - 1} are recorded`);
      if (n >= count) throw new ParseError(`record ${n} is not recorded yet`, v.col, `records 0..${count - 1} are recorded; run further first`);
      if (w.text === 'from') from = n;
      else to = n;
    }
    if (count === 0) throw new ParseError('nothing recorded yet', fmt.col, 'step or continue first');
    if (from > to) throw new ParseError(`from ${from} is after to ${to}`, rest[0]?.col ?? fmt.col);
    const writer = s.options.writeExport;
    if (!writer) throw new ParseError('this session cannot write files', word.col, 'over ssh, run `dmadbg export SCENARIO` on the server instead');
    let stats: ReturnType<typeof exportRecords> | undefined;
    const iotlbEntries = s.built.scenario.mtk?.iotlbEntries;
    const done = writer(file.text, (write) => {
      stats = exportRecords({ record: (q) => s.recording.get(q), line: (q) => s.recording.line(q) }, from, to, fmt.text as ExportFormat, write, { iotlbEntries });
    });
    if ('error' in done) throw new ParseError(done.error, file.col);
    return ok(`Wrote records ${from}..${to} to ${done.path}: ${describeExport(stats!)}.`);
  },
  complete: (_s, i) => (i === 0 ? [...EXPORT_FORMATS] : i === 2 || i === 4 ? ['from', 'to'] : []),
});

export const EXPORT_COMMANDS: Command[] = [exportCmd];
