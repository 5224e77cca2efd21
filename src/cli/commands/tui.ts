import type { Argv, ArgumentsCamelCase } from 'yargs';
import { KERNEL_VERSIONS, type KernelVersion } from '../../sim/kernel.ts';
import { intOption } from '../args.ts';
import { DEMO_SCENARIO } from '../paths.ts';
import { loadAndBuild } from '../load.ts';
import { EXIT, UsageError } from '../output.ts';

export const tuiCommand = {
  command: 'tui [scenario]',
  describe: 'Open the interactive debugger on a scenario (the built-in demo when none is given)',
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario file or built-in name' })
      .option('seed', { type: 'string', describe: "override the scenario's seed" })
      .option('kernel', { type: 'string', choices: KERNEL_VERSIONS as string[], describe: "override the scenario's kernel" }),
  handler: async (argv: ArgumentsCamelCase<{ scenario?: string; seed?: string; kernel?: KernelVersion }>) => {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new UsageError('the TUI needs a terminal; use `dmadbg run SCENARIO` for headless runs (or `ssh -t` for remote)');
    }
    const seed = intOption('seed', argv.seed, { max: 0xffff_ffff });
    const built = loadAndBuild(argv.scenario ?? DEMO_SCENARIO, { seed, kernel: argv.kernel });
    // React's development build is ~3x slower and keeps memory per render.
    process.env.NODE_ENV = 'production';
    const { startTui } = await import('../../tui/start.tsx');
    await startTui(built);
    return EXIT.ok;
  },
};
