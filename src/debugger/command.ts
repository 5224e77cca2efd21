/**
 * What a command module exports: its help entry and a runner. A runner returns a
 * result, or a generator that yields motions (the session runs them whole for `exec`
 * or in slices for `execAsync`) and gets each motion's Stop back.
 */
import type { Session } from './session.ts';
import { normalizeBlanks, type Token } from './parser.ts';
import type { CommandInfo, CommandResult, Stop } from './types.ts';

/** A piece of machine motion that can run in slices: `run(budget)` handles up to budget events. */
export interface Motion {
  run(budget: number): Stop | undefined;
}

export type CommandGen = Generator<Motion, CommandResult, Stop>;

export interface CommandCall {
  readonly session: Session;
  /** Tokens after the command word. */
  readonly args: readonly Token[];
  /** The command word as typed (x/8xw keeps its suffix). */
  readonly word: Token;
  /** The whole command text (for raw slices of it, e.g. a spec as typed). */
  readonly text: string;
}

export interface Command extends CommandInfo {
  run(call: CommandCall): CommandResult | CommandGen;
  /** Candidates for the argument being typed (argIndex 0 = first after the command). */
  complete?(session: Session, argIndex: number, prev: readonly string[]): readonly string[];
}

type CommandDef = Omit<Command, 'aliases' | 'subcommands' | 'examples'> & Partial<Pick<Command, 'aliases' | 'subcommands' | 'examples'>>;

/** The help text with its examples under it, one per line. */
export function withExamples(help: string, examples: readonly string[]): string {
  return examples.length ? `${help}\n  Examples:\n${examples.map((e) => `    ${e}`).join('\n')}` : help;
}

export function defineCommand(c: CommandDef): Command {
  // Copy descriptors, not values, so getters (help listing registered inspectors) stay live.
  const d = { aliases: [] as readonly string[], subcommands: [] as readonly string[], examples: [] as readonly string[] };
  const { help, ...own }: PropertyDescriptorMap = Object.getOwnPropertyDescriptors(c);
  Object.defineProperties(d, own);
  // The examples follow the help (a getter, so a live help such as info's stays live).
  Object.defineProperty(d, 'help', {
    enumerable: true,
    get: () => withExamples(help.get ? (help.get.call(c) as string) : (help.value as string), (d as Command).examples),
  });
  return d as Command;
}

export function ok(...lines: string[]): CommandResult {
  return { lines };
}

/** The text of the command from token `t` on (a spec as the user typed it, blanks outside quotes made one space). */
export function restFrom(call: CommandCall, t: Token | undefined): string {
  return t ? normalizeBlanks(call.text.slice(t.col)) : '';
}
