import { readFileSync } from 'node:fs';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { KERNEL_VERSIONS, type KernelVersion } from '../../sim/kernel.ts';
import { intOption } from '../args.ts';
import { OVERRIDE_OPTION, parseOverrides } from '../overrides.ts';
import { SCENARIOS_DIR } from '../paths.ts';
import type { Loaded } from '../load.ts';
import { EXIT, UsageError } from '../output.ts';
import { internalErrorLine, writeCrashLog } from '../crash.ts';
import { listScenarios } from '../../store/catalog.ts';
import { parseJsonc } from '../../scenario/jsonc.ts';
import type { Workspace } from '../../store/workspace.ts';

/** Events per continue slice in the TUI (keys are read between slices). */
export const TUI_SLICE_EVENTS = 1000;

interface Entry {
  name: string;
  file: string;
  description: string;
  kernel: string;
  source: 'recent' | 'built-in';
}

/** The workspace's recent scenarios (newest first) that still exist, then the built-in ones. */
function pickerEntries(ws: Workspace): Entry[] {
  const builtIn: Entry[] = listScenarios(SCENARIOS_DIR).map((e) => ({ ...e, source: 'built-in' }));
  const recent: Entry[] = [];
  for (const name of ws.read().recent) {
    const file = ws.scenario(name)?.file ?? builtIn.find((b) => b.name === name)?.file;
    if (!file) continue;
    try {
      const j = parseJsonc(readFileSync(file, 'utf8')) as { description?: string; kernel?: string };
      recent.push({ name, file, description: j.description ?? '', kernel: j.kernel ?? 'v5.4', source: 'recent' });
    } catch {
      /* moved or broken: the picker lists what can be opened */
    }
  }
  return [...recent, ...builtIn.filter((b) => !recent.some((r) => r.file === b.file))];
}

export const tuiCommand = {
  command: 'tui [scenario]',
  describe: 'Open the interactive debugger on a scenario (without one, a picker of the built-in and recent scenarios)',
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario file or built-in name' })
      .option('seed', { type: 'string', describe: "override the scenario's seed" })
      .option('kernel', { type: 'string', choices: [...KERNEL_VERSIONS], describe: "override the scenario's kernel" })
      .option('override', { ...OVERRIDE_OPTION })
      .option('read-only', { type: 'boolean', describe: 'look but do not run (spectator mode)' })
      .option('commands', { type: 'string', describe: 'run a debugger command file first (e.g. the .min.cmds `dmadbg shrink` writes), then open the TUI where it stopped' })
      .option('workspace', { type: 'string', describe: 'workspace directory (breakpoints, history, recent scenarios)' }),
  handler: async (
    argv: ArgumentsCamelCase<{ scenario?: string; seed?: string; kernel?: KernelVersion; override?: string | string[]; readOnly?: boolean; workspace?: string; commands?: string }>,
  ) => {
    const overrides = parseOverrides(argv.override);
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new UsageError('the TUI needs a terminal; use `dmadbg run SCENARIO` for headless runs (or `ssh -t` for remote)');
    }
    const seed = intOption('seed', argv.seed, { max: 0xffff_ffff });
    if (argv.commands !== undefined && argv.scenario === undefined) throw new UsageError('tui: --commands needs a scenario (the file runs on it)');
    const { readCommands } = await import('./run-debug.ts');
    const { runScript } = await import('../../debugger/script.ts');
    const script = argv.commands !== undefined ? readCommands(argv.commands) : undefined;
    const { loadAndBuild } = await import('../load.ts');
    const open = (file: string) => loadAndBuild(file, { seed, kernel: argv.kernel, overrides });
    // Load before the alternate screen so a broken scenario is one line in the shell.
    const first = argv.scenario !== undefined ? open(argv.scenario) : undefined;
    const { workspaceDir } = await import('../../store/paths.ts');
    const { openWorkspace } = await import('../../store/workspace.ts');
    const { wireSession } = await import('../session-store.ts');
    // Workspace warnings print before the TUI takes the screen, and after it leaves.
    let drawing = false;
    const later: string[] = [];
    const warn = (l: string) => (drawing ? later.push(l) : process.stderr.write(l + '\n'));
    const ws: Workspace = openWorkspace(workspaceDir(argv.workspace), { warn });
    const flushes: (() => void)[] = [];
    // React's development build is ~3x slower and keeps memory per render: set before
    // anything imports React (the TUI modules are loaded only below).
    process.env.NODE_ENV = 'production';
    const { Session } = await import('../../debugger/session.ts');
    const { writeExportFile } = await import('../export-file.ts');
    const { portFor } = await import('../../tui/session-app.tsx');
    const { startTui } = await import('../../tui/start.tsx');
    let notice: string | undefined;
    const portOf = (b: Loaded) => {
      const wired = wireSession(ws, { name: b.scenario.name, file: b.file, hash: b.hash });
      flushes.push(() => wired.flush());
      notice = wired.notice;
      // Small slices: at ~40k events/s (a loaded 2-core VM) the session's default of 20,000
      // events is half a second between key reads; 1,000 keeps Esc and keys under ~30 ms.
      const session = new Session(b, { ...wired.options, sliceEvents: TUI_SLICE_EVENTS, writeExport: writeExportFile });
      // The command file runs before the first frame: its output is in the console, the TUI opens at its stop.
      if (b === first && script) runScript(session, script, { file: argv.commands });
      return portFor(session);
    };
    const port = first ? portOf(first) : undefined;
    drawing = true;
    // A key handler's exception is a dmadbg bug (exit 70 with a crash log, after the screen
    // is restored); Ink's own unknown-key exception just drops that key.
    const { guardKeyHandlers } = await import('../../ssh/channel-tty.ts');
    const unguard = guardKeyHandlers(process.stdin, (e) => process.emit('uncaughtException', e as Error));
    try {
      await startTui({
        readOnly: argv.readOnly,
        port,
        notice,
        crashLine: (e: unknown) => internalErrorLine(e, writeCrashLog(e)),
        picker: {
          entries: pickerEntries(ws),
          open: async (e) => {
            try {
              return portOf(open(e.file));
            } catch (err) {
              throw new Error(err instanceof Error ? err.message.split('\n')[0] : String(err));
            }
          },
        },
      });
    } finally {
      unguard();
      for (const f of flushes) f();
      drawing = false;
      for (const l of later) process.stderr.write(l + '\n');
    }
    return EXIT.ok;
  },
};
