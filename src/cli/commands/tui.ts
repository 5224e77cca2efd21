import type { Argv, ArgumentsCamelCase } from 'yargs';
import { KERNEL_VERSIONS, type KernelVersion } from '../../sim/kernel.ts';
import { intOption } from '../args.ts';
import { SCENARIOS_DIR } from '../paths.ts';
import { loadAndBuild } from '../load.ts';
import { EXIT, UsageError } from '../output.ts';
import { listScenarios } from '../../scenario/catalog.ts';

export const tuiCommand = {
  command: 'tui [scenario]',
  describe: 'Open the interactive debugger on a scenario (without one, a picker of the built-in and recent scenarios)',
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario file or built-in name' })
      .option('seed', { type: 'string', describe: "override the scenario's seed" })
      .option('kernel', { type: 'string', choices: KERNEL_VERSIONS as string[], describe: "override the scenario's kernel" })
      .option('read-only', { type: 'boolean', describe: 'look but do not run (spectator mode)' }),
  handler: async (argv: ArgumentsCamelCase<{ scenario?: string; seed?: string; kernel?: KernelVersion; readOnly?: boolean }>) => {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new UsageError('the TUI needs a terminal; use `dmadbg run SCENARIO` for headless runs (or `ssh -t` for remote)');
    }
    const seed = intOption('seed', argv.seed, { max: 0xffff_ffff });
    const open = (file: string) => loadAndBuild(file, { seed, kernel: argv.kernel });
    // Load before the alternate screen so a broken scenario is one line in the shell.
    const first = argv.scenario !== undefined ? open(argv.scenario) : undefined;
    // React's development build is ~3x slower and keeps memory per render: set before
    // anything imports React (the TUI modules are loaded only below).
    process.env.NODE_ENV = 'production';
    const { Session } = await import('../../debugger/session.ts');
    const { portFor } = await import('../../tui/session-app.tsx');
    const { startTui } = await import('../../tui/start.tsx');
    const portOf = (b: ReturnType<typeof open>) => portFor(new Session(b, { file: b.file, hash: b.hash }));
    await startTui({
      readOnly: argv.readOnly,
      port: first ? portOf(first) : undefined,
      picker: {
        entries: listScenarios(SCENARIOS_DIR).map((e) => ({ ...e, source: 'built-in' as const })),
        open: async (e) => {
          try {
            return portOf(open(e.file));
          } catch (err) {
            throw new Error(err instanceof Error ? err.message.split('\n')[0] : String(err));
          }
        },
      },
    });
    return EXIT.ok;
  },
};
