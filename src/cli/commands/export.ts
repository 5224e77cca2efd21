import type { Argv, ArgumentsCamelCase } from 'yargs';
import { KERNEL_VERSIONS, type KernelVersion } from '../../sim/kernel.ts';

export interface ExportArgs {
  scenario: string;
  format: 'perfetto' | 'jsonl';
  output: string;
  seed?: string;
  kernel?: KernelVersion;
  maxEvents?: string;
}

export const exportCommand = {
  command: 'export <scenario>',
  describe: 'Run a scenario headless and write its trace for ui.perfetto.dev (or as JSON Lines)',
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file, or the name of a built-in scenario' })
      .option('format', { type: 'string', choices: ['perfetto', 'jsonl'], default: 'perfetto', describe: 'perfetto: a native Perfetto trace (tracks, slices, flows, counters); jsonl: the lines of `run --json`' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'file to write ("-" for standard output)' })
      .option('seed', { type: 'string', describe: "override the scenario's seed (u32)" })
      .option('kernel', { type: 'string', choices: [...KERNEL_VERSIONS], describe: "override the scenario's kernel" })
      .option('max-events', { type: 'string', describe: 'stop after this many events' })
      .example('$0 export mt8183-bus-sel -o fault.pftrace', 'open fault.pftrace in ui.perfetto.dev')
      .example('$0 export swiotlb-fragmentation --format jsonl -o trace.jsonl', 'the trace as JSON Lines, to a file'),
  handler: async (argv: ArgumentsCamelCase<ExportArgs>) => (await import('./export-impl.ts')).exportHandler(argv),
};
