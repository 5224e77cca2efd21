/** `dmadbg export`: run a scenario and stream its records into a Perfetto trace or JSON Lines. */
import type { ArgumentsCamelCase } from 'yargs';
import { LIMITS, SimLimitError } from '../../sim/limits.ts';
import { describeExport } from '../../debugger/export/index.ts';
import { PerfettoExport } from '../../debugger/export/perfetto.ts';
import { intOption } from '../args.ts';
import { writeExportFile } from '../export-file.ts';
import { loadAndBuild } from '../load.ts';
import { EXIT, UsageError } from '../output.ts';
import { formatTime } from '../format.ts';
import type { ExportArgs } from './export.ts';

export function exportHandler(argv: ArgumentsCamelCase<ExportArgs>): number {
  const seed = intOption('seed', argv.seed, { max: 0xffff_ffff });
  const maxEventsArg = intOption('max-events', argv.maxEvents, { min: 1, max: LIMITS.events });
  const built = loadAndBuild(argv.scenario, { seed, kernel: argv.kernel });
  const m = built.machine;
  const maxEvents = maxEventsArg ?? built.scenario.limits.maxEvents;
  process.stderr.write(`dmadbg: scenario=${built.scenario.name} seed=${m.config.seed} kernel=${m.config.kernel}\n`);
  let limit: string | undefined;
  let summary = '';
  const done = writeExportFile(argv.output, (write) => {
    // The records of each event go straight out; nothing is kept (constant memory).
    const perfetto = argv.format === 'perfetto' ? new PerfettoExport(write, { iotlbEntries: built.scenario.mtk?.iotlbEntries }) : undefined;
    m.keepTrace = !perfetto;
    let records = 0;
    try {
      while (m.state.events < maxEvents && m.step()) {
        if (perfetto) for (const r of m.stepRecords) perfetto.add(r);
        else m.trace.drain(write);
        records += m.stepRecords.length;
      }
    } catch (e) {
      if (!(e instanceof SimLimitError)) throw e;
      limit = e.message;
    }
    summary = describeExport(perfetto ? perfetto.end() : { records });
  });
  if ('error' in done) throw new UsageError(`--output: ${done.error}`, EXIT.error);
  const s = m.state;
  if (limit !== undefined) {
    process.stderr.write(`dmadbg: stopped: event ${s.events} cannot run: ${limit} (after ${s.traceCount} records, t=${formatTime(s.now)}); wrote what ran to ${done.path}\n`);
    return EXIT.error;
  }
  process.stderr.write(`dmadbg: wrote ${done.path}: ${summary}, ${s.events} events, t=${formatTime(s.now)}\n`);
  return EXIT.ok;
}
