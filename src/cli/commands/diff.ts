import type { Argv, ArgumentsCamelCase } from 'yargs';
import { KERNEL_VERSIONS } from '../../sim/kernel.ts';
import { OVERRIDE_OPTION } from '../overrides.ts';

export interface DiffArgs {
  scenario: string;
  kernel?: string | string[];
  override?: string | string[];
  seed?: string | string[];
  maxEvents?: string;
  context?: string;
  json?: boolean;
}

export const diffCommand = {
  command: 'diff <scenario>',
  describe: 'Run a scenario twice (two kernels, seeds or behaviour choices) and show where the traces first diverge, then a summary of the differences',
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario file, or the name of a built-in scenario', demandOption: true })
      .option('kernel', { type: 'string', requiresArg: true, describe: `a kernel (${KERNEL_VERSIONS.join(', ')}); twice: side A, then side B; once: side B (A runs the scenario's own)` })
      .option('override', { ...OVERRIDE_OPTION, describe: 'NAME=CHOICE; a NAME given once changes side B only, given twice its first CHOICE is side A\'s and its second side B\'s (`dmadbg info kernels` lists them)' })
      .option('seed', { type: 'string', requiresArg: true, describe: 'a seed (u32); twice: A then B; once: side B' })
      .option('max-events', { type: 'string', requiresArg: true, describe: "stop each side after this many events (default: the scenario's limits.maxEvents)" })
      .option('context', { type: 'string', requiresArg: true, default: '3', describe: 'records shown before the first difference, and of each side after it' })
      .option('json', { type: 'boolean', describe: 'print one JSON object (sides, first difference with its records, per-side totals, per-kind counts)' })
      .example('$0 diff swiotlb-virtio-blk-bug --kernel v5.0 --kernel v5.4', 'what v5.4 does differently with the same file')
      .example('$0 diff v7s-split-blk --override v7s-split-blk=corrected', "the scenario as written (A) against the corrected split (B)")
      .example('$0 diff demo-dma-engine --seed 1 --seed 2 --json', 'two seeds, as JSON')
      .epilogue('Exit 0 when the traces are the same, 1 when they differ, 2 on a usage error or a scenario that does not load (as diff(1)).'),
  handler: async (argv: ArgumentsCamelCase<DiffArgs>) => (await import('./diff-impl.ts')).diffHandler(argv),
};
