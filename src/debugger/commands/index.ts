/**
 * The command table: every command's name, aliases, usage and help, in help order. The
 * TUI's `:` line completes from it, `help` prints it, the keymap test checks key bindings
 * against it.
 */
import type { Command } from '../command.ts';
import { tokenize } from '../parser.ts';
import type { Session } from '../session.ts';
import { EXPORT_COMMANDS } from './export.ts';
import { INSPECT_COMMANDS } from './inspect.ts';
import { MOTION_COMMANDS } from './motion.ts';
import { POINT_COMMANDS } from './points.ts';
import { PROVENANCE_COMMANDS } from './provenance.ts';
import { SESSION_COMMANDS } from './session.ts';
import { STACK_COMMANDS } from './stack.ts';
import { DMESG_COMMANDS } from './dmesg.ts';

export const COMMANDS: readonly Command[] = [...MOTION_COMMANDS, ...POINT_COMMANDS, ...PROVENANCE_COMMANDS, ...STACK_COMMANDS, ...DMESG_COMMANDS, ...INSPECT_COMMANDS, ...EXPORT_COMMANDS, ...SESSION_COMMANDS];

const BY_NAME = new Map<string, Command>();
for (const c of COMMANDS) for (const n of [c.name, ...c.aliases]) BY_NAME.set(n, c);

/** The command a word names exactly (its name or an alias). */
export function findCommand(name: string): Command | undefined {
  return BY_NAME.get(name);
}

/**
 * The command a word names, gdb style: exactly, or as an unambiguous prefix of one command's
 * name or aliases (`dis` disable, `en` enable). Several candidates: `ambiguous` lists them.
 * A misspelt word resolves to nothing: it is never corrected into a command that runs.
 */
export function resolveCommand(word: string): { cmd?: Command; ambiguous?: string[] } {
  const exact = BY_NAME.get(word);
  if (exact) return { cmd: exact };
  if (!word) return {};
  const found = new Map<Command, string>();
  for (const [n, c] of BY_NAME) if (n.startsWith(word) && !found.has(c)) found.set(c, c.name);
  if (found.size === 1) return { cmd: [...found.keys()][0] };
  if (found.size > 1) return { ambiguous: [...found.values()].sort() };
  return {};
}

/** Candidates for the word being typed at the end of `line`, and where that word starts. */
export function completeLine(s: Session, line: string): { start: number; candidates: string[] } {
  const lastSemi = line.lastIndexOf(';');
  const base = lastSemi + 1;
  const part = line.slice(base);
  let toks;
  try {
    toks = tokenize(part);
  } catch {
    return { start: line.length, candidates: [] };
  }
  const endsInSpace = part.length === 0 || /\s$/.test(part);
  const last = toks.at(-1);
  // The word being typed is the last token only if it reaches the end of the line (not a
  // comment, not a quoted string): otherwise there is nothing to complete.
  if (!endsInSpace && (!last || last.quoted || last.col + last.text.length !== part.length)) return { start: line.length, candidates: [] };
  const words = toks.map((t) => t.text);
  const typing = endsInSpace ? '' : (words.pop() ?? '');
  const start = endsInSpace ? line.length : base + last!.col;
  let cands: readonly string[];
  if (!words.length) cands = COMMANDS.map((c) => c.name);
  else {
    const c = resolveCommand(words[0].split('/')[0]).cmd;
    cands = c?.complete ? c.complete(s, words.length - 1, words.slice(1)) : words.length === 1 ? (c?.subcommands ?? []) : [];
  }
  return { start, candidates: [...new Set(cands)].filter((x) => x.startsWith(typing)).sort() };
}
