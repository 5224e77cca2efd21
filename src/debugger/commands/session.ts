/** Session commands: bookmark, history, help. */
import { closest } from '../../scenario/suggest.ts';
import { type Command, defineCommand, ok } from '../command.ts';
import { ParseError } from '../parser.ts';
import { COMMANDS, resolveCommand } from './index.ts';

const bookmark = defineCommand({
  name: 'bookmark',
  aliases: ['bm', 'checkpoint'],
  usage: 'bookmark NAME [@EVENT] | bookmark -d NAME',
  summary: 'Name the current position (goto NAME returns to it)',
  help: 'bookmark NAME [@EVENT]\n  Name the current event (or event EVENT); `goto NAME` returns to just after it and `info\n  bookmarks` lists them. bookmark -d NAME deletes one. Bookmarks are saved with the\n  scenario. (Stopped at a record, `goto SEQ` returns to the record itself.)',
  examples: ['bookmark before-fault', 'bookmark probe @1', 'bookmark -d probe'],
  run: ({ session: s, args, word }) => {
    const a = args[0];
    if (!a) throw new ParseError('bookmark needs a name', word.col + word.text.length + 1, 'e.g. bookmark before-unmap');
    if (a.text === '-d') {
      const n = args[1];
      if (!n || !s.bookmarks.delete(n.text)) throw new ParseError(`no bookmark "${n?.text ?? ''}"`, n?.col ?? a.col);
      s.persist();
      return ok(`Deleted bookmark ${n.text}.`);
    }
    if (/^[@\d]/.test(a.text)) throw new ParseError('a bookmark name starts with a letter', a.col, 'numbers mean records for goto');
    let at = s.events;
    const e = args[1];
    if (e) {
      if (!/^@\d+$/.test(e.text)) throw new ParseError(`expected @EVENT, got "${e.text}"`, e.col, 'e.g. bookmark before-unmap @1200');
      at = Number(e.text.slice(1));
    }
    s.bookmarks.set(a.text, at);
    s.persist();
    return ok(`Bookmark ${a.text} = event ${at}.`);
  },
  complete: (s) => [...s.bookmarks.keys()],
});

const history = defineCommand({
  name: 'history',
  usage: 'history [N]',
  summary: 'The last N commands (default 20), kept across sessions',
  help: 'history [N]\n  The last N command lines (default 20), numbered; the workspace keeps them across runs.',
  examples: ['history', 'history 5'],
  run: ({ session: s, args }) => {
    const n = args[0] ? Number(args[0].text) : 20;
    if (!Number.isInteger(n) || n < 1) throw new ParseError(`bad count "${args[0].text}"`, args[0].col);
    const h = s.history;
    const from = Math.max(0, h.length - n);
    return ok(...h.slice(from).map((l, i) => `${String(from + i + 1).padStart(5)}  ${l}`));
  },
});

const help = defineCommand({
  name: 'help',
  aliases: ['h', '?'],
  usage: 'help [COMMAND]',
  summary: 'List commands, or show one command\'s help',
  help: 'help [COMMAND]\n  Without a command: every command with a one-line summary. With one: its usage and help.',
  examples: ['help', 'help break', 'help si'],
  run: ({ args, session }) => {
    const a = args[0];
    if (!a) {
      const w = Math.max(...COMMANDS.map((c) => c.usage.length));
      const ws = session.options.workspace;
      return ok(
        ...COMMANDS.map((c) => `${c.usage.padEnd(w)}  ${c.summary}`),
        '',
        'help COMMAND for details; several commands on one line separate with ;',
        ...(ws ? [`workspace: ${ws} (breakpoints, bookmarks, history and runs of this user; --workspace DIR or DMADBG_WORKSPACE picks another)`] : []),
      );
    }
    const { cmd: c, ambiguous } = resolveCommand(a.text);
    if (ambiguous) throw new ParseError(`ambiguous command "${a.text}": ${ambiguous.join(', ')}`, a.col, 'type more of it');
    if (!c) {
      const near = closest(a.text, COMMANDS.flatMap((x) => [x.name, ...x.aliases]));
      throw new ParseError(`no command "${a.text}"`, a.col, near ? `did you mean "${near}"?` : undefined);
    }
    return ok(...c.help.split('\n'), ...(c.aliases.length ? [`aliases: ${c.aliases.join(', ')}`] : []));
  },
  complete: (_s, i) => (i === 0 ? COMMANDS.map((c) => c.name) : []),
});

const quit = defineCommand({
  name: 'quit',
  aliases: ['q', 'exit'],
  usage: 'quit',
  summary: 'End the session (a command file stops here; the TUI closes)',
  help: 'quit\n  In a command file, stop running it (the exit code follows the last stop, as if the file\n  ended here); in the TUI, quit (asking first while a run is going).',
  examples: ['quit'],
  run: ({ args }) => {
    const t = args[0];
    if (t) throw new ParseError(`unexpected "${t.text}"`, t.col);
    return { lines: [], quit: true };
  },
});

export const SESSION_COMMANDS: Command[] = [bookmark, history, help, quit];
