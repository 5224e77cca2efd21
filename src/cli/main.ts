#!/usr/bin/env node
/**
 * dmadbg's command line. Each command returns an exit code (see EXIT); user mistakes
 * are one line on stderr with exit 1 or 2, never a stack trace.
 */
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { SCENARIOS_DIR } from './paths.ts';
import { withImplicitTui } from './implicit-tui.ts';
import { runCommand } from './commands/run.ts';
import { validateCommand } from './commands/validate.ts';
import { listCommand } from './commands/list.ts';
import { infoCommand } from './commands/info.ts';
import { tuiCommand } from './commands/tui.ts';
import { serveCommand } from './commands/serve.ts';
import { exportCommand } from './commands/export.ts';
import { swarmCommand } from './commands/swarm.ts';
import { shrinkCommand } from './commands/shrink.ts';
import { diffCommand } from './commands/diff.ts';
import { newCommand } from './commands/new.ts';
import { EXIT, UsageError } from './output.ts';
import { reportInternalError } from './crash.ts';
import { workspaceDir } from '../store/paths.ts';
import { houseStyle } from './usage-messages.ts';

/** What each command's positional arguments are, for "name FILE..." messages. */
const POSITIONAL_USAGE: Record<string, string> = { validate: 'FILE...', info: 'kernels|kinds|limits', run: 'SCENARIO', export: 'SCENARIO', swarm: 'SCENARIO | swarm merge FILE...', shrink: 'SCENARIO', tui: '[SCENARIO]', list: '', serve: '', diff: 'SCENARIO', new: 'NAME' };
/** Positional names across the commands (yargs lists them among the options). */
const POSITIONALS = ['scenario', 'files', 'topic', 'name'];

type Handler = (argv: never) => number | void | Promise<number | void>;

/** Wrap a command so its returned exit code and its errors end the process the same way. */
function withExit<C extends { handler: Handler }>(cmd: C): CommandModule {
  return {
    ...cmd,
    handler: async (argv: never) => {
      const code = await cmd.handler(argv);
      process.exitCode = code ?? EXIT.ok;
    },
  } as unknown as CommandModule;
}

export async function main(argv: string[]): Promise<void> {
  const cli = yargs(argv)
    .scriptName('dmadbg')
    .usage('$0 <command> [options]\n\nA terminal debugger for simulated DMA systems.')
    .command(withExit(tuiCommand))
    .command(withExit(runCommand))
    .command(withExit(exportCommand))
    .command(withExit(swarmCommand))
    .command(withExit(shrinkCommand))
    .command(withExit(validateCommand))
    .command(withExit(listCommand))
    .command(withExit(infoCommand))
    .command(withExit(serveCommand))
    .command(withExit(diffCommand))
    .command(withExit(newCommand))
    .demandCommand(1, 'Name a command; `dmadbg --help` lists them.')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(100, process.stdout.columns || 80))
    .epilogue(
      `Workspace: ${workspaceDir()} (breakpoints, bookmarks, history and recorded runs of this user; --workspace DIR or DMADBG_WORKSPACE picks another).\n` +
        'Exit codes: 0 ok, 1 invalid scenario or failed run, 2 usage error, 3 stopped at a breakpoint, 70 internal error (a dmadbg bug: one line here, the details in a crash log).',
    )
    .showHelpOnFail(false)
    .fail((msg, err) => {
      if (err) throw err;
      // getOptions() is yargs' (untyped in @types/yargs 17): the failing command's options and choices.
      const opts = (cli as unknown as { getOptions(): { key: Record<string, unknown>; choices: Record<string, string[]> } }).getOptions();
      const command = COMMAND_NAMES.includes(argv[0]) ? argv[0] : undefined;
      const line = houseStyle(msg, { command, options: Object.keys(opts.key), choices: opts.choices, usage: POSITIONAL_USAGE, positionals: POSITIONALS, argv });
      process.stderr.write(`dmadbg: ${line}; see \`dmadbg ${command ? `${command} ` : ''}--help\`\n`);
      process.exit(EXIT.usage);
    });
  // yargs renders a command's help as it starts the handler, to show it on a later failure;
  // dmadbg never shows help on a failure (showHelpOnFail(false)), and the rendering was ~10%
  // of a short `run`. (Internal API: if it moves, help is simply rendered again.)
  const usage = (cli as unknown as { getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => {};
  try {
    await cli.parseAsync();
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(e.message.split('\n').map((l) => `dmadbg: ${l}`).join('\n') + '\n');
      process.exitCode = e.exitCode;
    } else {
      // A simulator assertion or anything unexpected: a dmadbg bug. One line, the stack in a log.
      reportInternalError(e);
    }
  }
}

// Errors outside the command's own await (a stream callback): the same one line and exit 70.
// `serve` replaces these with its own handlers (one session's bug must not end the server).
// The TUI adds its own (it restores the screen first): then this one leaves it the job.
const othersHandle = (ev: 'uncaughtException' | 'unhandledRejection') => process.listenerCount(ev) > 1;
process.on('uncaughtException', (e) => {
  if (othersHandle('uncaughtException')) return;
  reportInternalError(e);
  process.exit(EXIT.internal);
});
process.on('unhandledRejection', (e) => {
  if (othersHandle('unhandledRejection')) return;
  reportInternalError(e);
  process.exit(EXIT.internal);
});

// A reader that goes away (`dmadbg --help | head -1`) ends our output, quietly: commands
// print through Out, which stops on EPIPE; this covers what yargs prints itself.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
  throw e;
});

const COMMAND_NAMES = ['tui', 'run', 'export', 'swarm', 'shrink', 'validate', 'list', 'info', 'serve', 'diff', 'new', 'completion'];
const implicit = withImplicitTui(hideBin(process.argv), COMMAND_NAMES, SCENARIOS_DIR);
if ('error' in implicit) {
  process.stderr.write(`dmadbg: ${implicit.error}\n`);
  process.exitCode = EXIT.usage;
} else {
  // yargs takes a lone "-" for a positional: `--commands -` (stdin) means `--commands=-`.
  const words = implicit.argv.flatMap((w, i, all) => (w === '-' && all[i - 1] === '--commands' ? [] : w === '--commands' && all[i + 1] === '-' ? ['--commands=-'] : [w]));
  await main(words);
}
