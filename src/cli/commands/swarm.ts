import type { Argv, ArgumentsCamelCase } from 'yargs';
import { KERNEL_VERSIONS, type KernelVersion } from '../../sim/kernel.ts';

export interface SwarmArgs {
  scenario: string;
  files?: string[];
  seeds?: string;
  failOn?: string;
  kernel?: KernelVersion;
  override?: string[];
  shard?: string;
  json?: boolean;
  workers?: string;
  maxEvents?: string;
}

export const swarmCommand = {
  command: 'swarm <scenario> [files..]',
  describe: 'Run every seed of a scenario family on a worker pool and list the seeds that fail (swarm merge FILE... combines shards)',
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file or built-in name (its `swarm` section says what a seed varies); or "merge"' })
      .positional('files', { type: 'string', array: true, describe: 'swarm merge: the shards\' --json results' })
      .option('seeds', { type: 'string', describe: 'seed range A..B (both included), or one seed' })
      .option('fail-on', { type: 'string', describe: 'record kinds whose first record fails a seed, KIND[,KIND...] (e.g. stale-tlb)' })
      .option('kernel', { type: 'string', choices: [...KERNEL_VERSIONS], describe: "override the scenario's kernel for every seed" })
      .option('override', { type: 'string', array: true, describe: 'kernel behaviour ROW=CHOICE for every seed (repeatable; `dmadbg info kernels`)' })
      .option('shard', { type: 'string', describe: 'run only slice I of N of the seeds (I/N, 1-based): disjoint, deterministic, for a CI matrix' })
      .option('json', { type: 'boolean', describe: 'print the result as JSON (what swarm merge reads)' })
      .option('workers', { type: 'string', describe: 'worker threads (default: the machine\'s available parallelism)' })
      .option('max-events', { type: 'string', describe: 'stop each seed after this many events' })
      .example('$0 swarm mtk-swarm-flush --seeds 1..200 --fail-on stale-tlb', 'which seeds use a stale IOTLB entry')
      .example('$0 swarm mtk-swarm-flush --seeds 1..10000 --fail-on stale-tlb --shard 3/8 --json > shard-3.json', 'one job of an 8-way CI matrix')
      .example('$0 swarm merge results/*.json', 'combine the shards\' results')
      .epilog('While it runs, the failing seeds\' results wait in a file under TMPDIR (removed with the process); short swarms are often faster with --workers 1 (docs/swarm.md).'),
  handler: async (argv: ArgumentsCamelCase<SwarmArgs>) => (await import('./swarm-impl.ts')).swarmHandler(argv),
};
