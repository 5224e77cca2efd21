/**
 * docs/debugger.md, generated from the command table and the inspector registry, so the
 * reference cannot drift from `help` (test/debugger/docs.test.ts compares them).
 */
import { COMMANDS } from './commands/index.ts';
import { inspectors } from './inspect/index.ts';
import { SHORTHANDS, knownKinds } from './kinds.ts';

export function debuggerDoc(): string {
  const out: string[] = [
    '# The debugger command language',
    '',
    '<!-- Generated from src/debugger/commands (src/debugger/docs.ts); edit the help there. -->',
    '',
    'The same commands work in the TUI\'s `:` line, in command files (`dmadbg run SCENARIO',
    '--commands FILE`, one per line, `#` comments; `--commands -` reads standard input, as in',
    '`ssh host run SCENARIO --commands - < FILE`) and over SSH. Several commands on one line',
    'separate with `;`. A mistake is reported with a caret under the column and the closest',
    'command, kind or field.',
    '',
    '## Position',
    '',
    'The machine stands either between events or at a record. `step` moves by scheduler event',
    '(`goto @N` goes to just after event N). Breakpoints, watchpoints, `stepi`, `goto SEQ`,',
    '`until SEQ`, `reverse-stepi`, `reverse-continue` and `why` stop AT a record: the machine',
    'halted right after that record was emitted, inside its event, so every panel, `info`, `x/`',
    'and `print` show the state at that record (the IOTLB as the faulting access found it, not',
    'after the ISR flushed it). The event\'s remaining records come when you move on: any',
    'motion from there replays the event from its start. `when` shows the position; the',
    'trace\'s `seq` column numbers records. Hit counts count stops: one per record passed.',
    '',
    'Reverse motion restores the nearest checkpoint and replays; every replayed record is',
    'compared with the recorded one, and a difference is an internal error (exit 70 headless),',
    'never a silent divergence.',
    '',
    '| motion | forward | backward |',
    '|---|---|---|',
    '| by event | `step` `s` (key `s`) | `reverse-step` `rs` (key `S`) |',
    '| by record | `stepi` `si` (key `i`) | `reverse-stepi` `rsi` (key `I`) |',
    '| to a breakpoint | `continue` `c` (key `c`) | `reverse-continue` `rc` (key `C`) |',
    '| from the start | `run` `r` (key `r`): event 0, then continue | |',
    '',
    'A command may be shortened to any unambiguous prefix (`dis 1`, `en`, `i b`); a mistyped one',
    'is an error with a did-you-mean, never run as the command it resembles.',
    '',
    '## Headless exit codes',
    '',
    '| code | meaning |',
    '|---|---|',
    '| 0 | the commands ran out (or `quit`), or the scenario ended |',
    '| 3 | the last motion stopped at a breakpoint or watchpoint |',
    '| 1 | a command failed (the script stops there; stderr names it `FILE:LINE: message`), or `--replay` saw different stops |',
    '| 70 | a simulator assertion (a replay diverged): a dmadbg bug |',
    '',
    '## Commands',
    '',
  ];
  for (const c of COMMANDS) {
    out.push(`### ${c.name}`, '', '```', ...c.help.split('\n'), '```', '');
    if (c.aliases.length) out.push(`Aliases: ${c.aliases.map((a) => `\`${a}\``).join(', ')}`, '');
  }
  out.push(
    '## Filters',
    '',
    'One grammar selects records everywhere: `break`, `tbreak`, `log`, `trace`, the TUI\'s `f`',
    'filter and `dmadbg run --filter`:',
    '',
    '```',
    '[KIND | kind=KIND | SHORTHAND] [FIELD OP VALUE ...] [where FIELD OP VALUE [and ...]]',
    '```',
    '',
    'OP is `=` `!=` `<` `<=` `>` `>=` or `~` (contains); numbers compare as numbers whatever base',
    'they are written in; `LO..HI` is a half-open range. Every field, operator and value is',
    'checked against the record kinds (docs/trace.md), and names (`dev=`, `domain=`, `iommu=`,',
    '`larb=`, `mmu=`) against the loaded scenario: a filter that could never match is an error',
    'with a caret and a did-you-mean, not a breakpoint that silently never stops.',
    '',
    '| shorthand | records |',
    '|---|---|',
  );
  for (const [k, v] of Object.entries(SHORTHANDS)) out.push(`| \`${k}\` | ${v.summary} |`);
  out.push('', `Record kinds: ${knownKinds().map((k) => `\`${k}\``).join(', ')}.`, '');
  out.push('## info topics from models', '', '| usage | what | needs model state |', '|---|---|---|');
  for (const i of inspectors()) out.push(`| \`${i.usage}\` | ${i.summary} | ${i.models?.map((m) => `\`${m.name}\``).join(' or ') ?? '-'} |`);
  out.push('', 'A model registers its own inspector in `src/debugger/inspect/<model>.ts` (imported by', '`inspect/index.ts`); until then its topic prints the model\'s raw state, or "no such model in', 'this scenario" when the scenario has none.', '');
  out.push(
    '## The workspace',
    '',
    'Where: `--workspace PATH`, else `$DMADBG_WORKSPACE`, else `$XDG_DATA_HOME/dmadbg`, else',
    '`~/.local/share/dmadbg`. It holds `workspace.json` (recent scenarios; per scenario, keyed by',
    'name with the content hash they were set on: breakpoints, watchpoints, log points with their',
    'conditions, ignore counts and commands, and bookmarks; the command history; the index of',
    'recorded runs) and `runs/<id>.ndjson` (one recorded `run --commands`: header with scenario',
    'file, hash, seed and kernel, one line per command with its stop, the exit code).',
    '',
    '- `dmadbg run SCENARIO --commands FILE` records the run (`--no-record` to skip) and prints',
    '  its id; `dmadbg run --replay ID` (or `last`) runs it again and checks every stop.',
    '- `--restore` makes a headless run start with the saved breakpoints and save changes; the',
    '  TUI always does. Both say what was restored and from where (`restored 2 breakpoints of',
    '  mt8183-bus-sel from ~/.local/share/dmadbg`; a headless run lists each one). A scenario',
    '  edited since shows a notice and still gets them. The workspace is per user: `dmadbg',
    '  --help` and the debugger\'s `help` print its path; on a shared account, give each person',
    '  their own with `--workspace DIR` or `DMADBG_WORKSPACE`.',
    '- Every change is a locked read-modify-write (`workspace.json.lock`, O_EXCL; a lock whose',
    '  process is gone or that is older than 30 s is broken) and an atomic replace (a temp file',
    '  named per writer, fsync, rename), so several dmadbg processes lose nothing. Waiters queue',
    '  in arrival order (tickets in `workspace.json.lock.q/`), so none starves; a wait longer',
    '  than 10 s skips that one save with a warning instead of failing the command.',
    '- Breakpoints are saved as changes: two TUIs on one scenario that each add one keep both;',
    '  a breakpoint deleted in one session is removed, the others stay.',
    '- A file that does not parse or validate is moved to `workspace.json.corrupt-N` with a',
    '  one-line message, and a fresh workspace starts; nothing is wiped.',
    '- A workspace that cannot be created or written (read-only, a file in the way, a full',
    '  disk, a path too long) is one warning, `dmadbg: workspace DIR: cannot write ...: read-only',
    '  file system (EROFS); going on without saving breakpoints, history or runs`, and the',
    '  command goes on.',
    '- Opening the workspace sweeps what killed processes left: temporary files, a lock or',
    '  queue ticket of a process that is gone, and indexes a run file saved without its index',
    '  entry. The index keeps the newest 200 runs; older run files are removed with their entry.',
    '- Internal errors (a dmadbg bug) leave a crash log in `crash/` (the newest 20 are kept).',
    '',
  );
  return out.join('\n');
}
