/**
 * yargs' own failure messages in the house style: one line that says what was wrong,
 * with a did-you-mean where one is near ("Unknown argument: sed" -> "unknown option --sed
 * (did you mean --seed?)"; "Invalid values: Argument: kernel, Given: ..." -> "--kernel:
 * "v9" is not a choice (one of: v5.0, v5.4)"; "Not enough non-option arguments" -> what
 * the command needs).
 */
import { closest } from '../scenario/suggest.ts';

export interface FailContext {
  /** The command typed (first word), if any. */
  readonly command?: string;
  /** Options the command knows (long names, as declared). */
  readonly options: readonly string[];
  /** Choices per option or positional. */
  readonly choices: Readonly<Record<string, readonly string[]>>;
  /** Each command's positional usage, e.g. validate: 'FILE...'. */
  readonly usage: Readonly<Record<string, string>>;
  /** Positional names (yargs lists them with the options). */
  readonly positionals: readonly string[];
  /** The words typed. */
  readonly argv: readonly string[];
}

const dashed = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);
const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export function houseStyle(msg: string, ctx: FailContext): string {
  const flat = msg.replace(/\s*\n\s*/g, ' ').trim();
  let m = /^Unknown arguments?: (.*)$/.exec(flat);
  if (m) {
    const known = [...new Set(ctx.options.filter((o) => !ctx.positionals.includes(o)).map(kebab))];
    const typedAsOption = (a: string) => ctx.argv.some((w) => w === dashed(a) || w.startsWith(`${dashed(a)}=`) || w === `--no-${a}`);
    const words = m[1].split(', ');
    const where = ctx.command ? `${ctx.command}: ` : '';
    const stray = words.filter((a) => !typedAsOption(a));
    if (stray.length) return `${where}unexpected argument${stray.length > 1 ? 's' : ''} ${stray.map((a) => `"${a}"`).join(', ')}${ctx.command && ctx.usage[ctx.command] !== undefined ? ` (usage: dmadbg ${ctx.command} ${ctx.usage[ctx.command]})`.replace(/ \)$/, ')') : ''}`;
    const parts = words.map((a) => {
      const near = closest(a, known);
      return `${dashed(a)}${near ? ` (did you mean ${dashed(near)}?)` : ''}`;
    });
    return `${where}unknown option${parts.length > 1 ? 's' : ''} ${parts.join(', ')}`;
  }
  m = /^Invalid values: Argument: (\S+), Given: (.*), Choices: (.*)$/.exec(flat);
  if (m) {
    const [, arg, given] = m;
    const choices = ctx.choices[arg] ?? m[3].split(', ').map((c) => c.replace(/^"|"$/g, ''));
    const g = given.replace(/^"|"$/g, '');
    const near = closest(g, choices);
    const isOption = !ctx.positionals.includes(arg);
    const what = isOption ? `${dashed(kebab(arg))}: "${g}" is not a choice` : `${ctx.command ? `${ctx.command}: ` : ''}"${g}" is not a ${arg}`;
    return `${what} (${near ? `did you mean "${near}"? ` : ''}one of: ${choices.join(', ')})`;
  }
  m = /^Not enough non-option arguments: got (\d+), need at least (\d+)$/.exec(flat);
  if (m && ctx.command) {
    const usage = ctx.usage[ctx.command];
    return `${ctx.command}: missing ${usage ?? `${m[2]} argument${m[2] === '1' ? '' : 's'}`}`;
  }
  m = /^Too many non-option arguments: got (\d+), maximum of (\d+)$/.exec(flat);
  if (m && ctx.command) {
    const usage = ctx.usage[ctx.command];
    return `${ctx.command}: too many arguments (usage: dmadbg ${ctx.command}${usage ? ` ${usage}` : ''})`;
  }
  m = /^Missing required arguments?: (.*)$/.exec(flat);
  if (m) return `${ctx.command ? `${ctx.command}: ` : ''}missing ${m[1].split(', ').map((a) => (ctx.options.includes(a) ? dashed(kebab(a)) : a.toUpperCase())).join(', ')}`;
  m = /^Did you mean (.*)\?$/.exec(flat);
  if (m) return `unknown command "${ctx.argv[0] ?? ''}" (did you mean "${m[1]}"?)`;
  return flat;
}
