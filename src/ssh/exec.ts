/**
 * `ssh host COMMAND`: the exec requests the server answers. Only an allowlist runs:
 * `run`, `list` and `validate` headless, and `tui` (with a pty) for the interactive
 * debugger. Scenario arguments are resolved inside the served scenarios directory and
 * nowhere else; options are allowlisted per command, so no flag can name another file.
 * `run` and `validate` run as child processes of the server: their output streams as it
 * comes, their exit status is the command's, and a crash there cannot touch other sessions.
 */
import { spawn } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { listScenarios } from '../store/catalog.ts';
import { PACKAGE_ROOT } from '../store/package-root.ts';
import { LIMITS } from '../debugger/limits.ts';

export const EXEC_EXIT = { ok: 0, error: 1, usage: 2, internal: 70 } as const;

/** Split a command line like a shell would for simple words and quotes (no expansions). */
export function splitCommandLine(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let q: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === q) q = undefined;
      else if (c === '\\' && q === '"' && i + 1 < s.length && '"\\$`'.includes(s[i + 1])) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      q = c;
      has = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else cur += c;
  }
  if (q) throw new ExecRefused(`unbalanced ${q} in the command`);
  if (has || cur) out.push(cur);
  return out;
}

export class ExecRefused extends Error {
  constructor(message: string, readonly exitCode: number = EXEC_EXIT.usage) {
    super(message);
  }
}

/** 'stdin': a value option whose only allowed value is "-" (read from the channel's stdin). */
type OptSpec = Record<string, 'flag' | 'value' | 'stdin'>;

interface CommandSpec {
  readonly options: OptSpec;
  /** How positionals are treated: scenario names/paths confined to the scenarios dir. */
  readonly positionals: { min: number; max: number; what: string };
}

const HELP: OptSpec = { help: 'flag', h: 'flag' };

/** What each remote command may be given. Keep in step with src/cli/commands/*. */
export const EXEC_COMMANDS: Record<string, CommandSpec> = {
  run: {
    options: { ...HELP, json: 'flag', until: 'value', 'until-kind': 'value', seed: 'value', kernel: 'value', 'max-events': 'value', commands: 'stdin' },
    positionals: { min: 1, max: 1, what: 'SCENARIO' },
  },
  validate: { options: { ...HELP }, positionals: { min: 1, max: 64, what: 'FILE...' } },
  list: { options: { ...HELP, json: 'flag' }, positionals: { min: 0, max: 0, what: '' } },
};

export const USAGE_LINE = 'available: run SCENARIO [--json] [--until N] [--until-kind KIND] [--seed N] [--kernel V] [--max-events N] [--commands - < FILE], list [--json], validate FILE..., tui [SCENARIO] or just SCENARIO (needs ssh -t)';

/** Resolve a scenario name or relative path inside `dir`; anything that leaves it is refused. */
export function confineScenario(dir: string, ref: string): string {
  const root = realpathSync(dir);
  if (ref.includes('\0')) throw new ExecRefused('bad scenario name');
  const candidates = isAbsolute(ref) ? [ref] : [resolve(root, ref), ...(ref.endsWith('.json') ? [] : [resolve(root, `${ref}.json`)])];
  for (const c of candidates) {
    // Check the lexical path first (no probing outside), then the real one (no symlink escapes).
    if (!inside(root, c)) continue;
    if (!existsSync(c)) continue;
    const real = realpathSync(c);
    if (!inside(root, real)) continue;
    if (!statSync(real).isFile()) continue;
    return real;
  }
  const names = listScenarios(root).map((e) => e.name);
  throw new ExecRefused(
    `no scenario "${ref}" in the served scenarios directory${names.length ? ` (available: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', ...' : ''})` : ''}`,
    EXEC_EXIT.error,
  );
}

function inside(root: string, p: string): boolean {
  const r = relative(root, p);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r) && !r.split(sep).includes('..');
}

export interface ParsedExec {
  readonly command: 'run' | 'validate' | 'list' | 'tui';
  /** Arguments to hand to the CLI, with scenario paths already confined and absolute. */
  readonly args: string[];
  /** For tui: the confined scenario file (undefined = the server's default). */
  readonly scenario?: string;
  /** The command reads the channel's stdin (`run X --commands -`). */
  readonly stdin?: boolean;
}

/** Check a remote command line against the allowlist. Throws ExecRefused with a one-line reason. */
export function parseExec(line: string, scenariosDir: string): ParsedExec {
  // A NUL cannot reach a child's argv (spawn throws): refuse it as the mistake it is.
  if (line.includes('\0')) throw new ExecRefused('the command contains a NUL byte');
  if (line.length > LIMITS.commandChars) throw new ExecRefused(`the command is ${line.length} characters long; the limit is ${LIMITS.commandChars}`);
  let words = splitCommandLine(line);
  if (words[0] === 'dmadbg') words = words.slice(1); // the same command line works with plain sshd
  const [cmd, ...rest] = words;
  if (!cmd) throw new ExecRefused(`no command given; ${USAGE_LINE}`);
  if (cmd === 'tui') {
    if (rest.length > 1 || rest.some((w) => w.startsWith('-'))) throw new ExecRefused('usage: tui [SCENARIO]');
    return { command: 'tui', args: [], scenario: rest[0] === undefined ? undefined : confineScenario(scenariosDir, rest[0]) };
  }
  const spec = Object.hasOwn(EXEC_COMMANDS, cmd) ? EXEC_COMMANDS[cmd] : undefined;
  if (!spec) {
    // `ssh -t host SCENARIO` (or `dmadbg SCENARIO`): the TUI on that scenario.
    if (rest.length === 0 && !cmd.startsWith('-')) {
      try {
        return { command: 'tui', args: [], scenario: confineScenario(scenariosDir, cmd) };
      } catch {
        /* not a scenario either: the refusal below says what is available */
      }
    }
    throw new ExecRefused(`"${cmd}" is not available over ssh; ${USAGE_LINE}`);
  }
  const args: string[] = [cmd];
  const positionals: string[] = [];
  let stdin = false;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    if (w === '--') {
      positionals.push(...rest.slice(i + 1));
      break;
    }
    if (w.startsWith('-') && w !== '-') {
      const m = /^--?([^=]+)(?:=(.*))?$/.exec(w);
      const name = m?.[1] ?? '';
      const kind = Object.hasOwn(spec.options, name) ? spec.options[name] : undefined;
      if (!kind) throw new ExecRefused(`${cmd}: option ${w.split('=')[0]} is not available over ssh`);
      if (kind === 'flag') {
        if (m?.[2] !== undefined) throw new ExecRefused(`${cmd}: --${name} takes no value`);
        args.push(`--${name}`);
      } else if (kind === 'stdin') {
        // Files on the server are not for clients to name: the command file comes over the connection.
        const v = m?.[2] ?? rest[++i];
        if (v !== '-') throw new ExecRefused(`${cmd}: over ssh, --${name} reads standard input: ssh HOST ${cmd} SCENARIO --${name} - < FILE`);
        args.push(`--${name}=-`, '--no-record');
        stdin = true;
      } else {
        const v = m?.[2] ?? rest[++i];
        if (v === undefined) throw new ExecRefused(`${cmd}: --${name} needs a value`);
        args.push(`--${name}=${v}`);
      }
      continue;
    }
    positionals.push(w);
  }
  const helping = args.includes('--help') || args.includes('--h');
  if (!helping && (positionals.length < spec.positionals.min || positionals.length > spec.positionals.max)) {
    throw new ExecRefused(`usage: ${cmd} ${spec.positionals.what}`.trim());
  }
  // Relative to the served directory (the child's cwd): messages then never show server paths.
  const root = realpathSync(scenariosDir);
  for (const p of positionals) args.push(`./${relative(root, confineScenario(scenariosDir, p))}`);
  return { command: cmd as ParsedExec['command'], args, ...(stdin ? { stdin } : {}) };
}

const BIN = join(PACKAGE_ROOT, 'bin', 'dmadbg.js');

export interface ExecIo {
  write(s: string | Buffer): boolean;
  once(ev: 'drain', cb: () => void): unknown;
  readonly stderr: { write(s: string | Buffer): boolean };
  /** The client's stdin, for commands that read it. */
  readonly input?: NodeJS.ReadableStream;
}

export interface ExecHandle {
  readonly done: Promise<number>;
  kill(): void;
}

/** `list` runs in-process on the served directory; run/validate run as child processes. */
export function startExec(parsed: ParsedExec, io: ExecIo, opts: { scenariosDir: string; timeoutMs: number }): ExecHandle {
  if (parsed.command === 'list') {
    const all = listScenarios(realpathSync(opts.scenariosDir));
    if (parsed.args.includes('--help')) io.write('dmadbg list [--json]: the scenarios this server offers\n');
    else if (parsed.args.includes('--json')) io.write(JSON.stringify(all.map(({ name, description, kernel }) => ({ name, description, kernel }))) + '\n');
    else {
      const w = Math.max(4, ...all.map((e) => e.name.length));
      const kw = Math.max(4, ...all.map((e) => e.kernel.length));
      io.write(all.map((e) => `${e.name.padEnd(w)}  ${e.kernel.padEnd(kw)}  ${e.description}\n`).join(''));
    }
    return { done: Promise.resolve(EXEC_EXIT.ok), kill() {} };
  }
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
  delete env.CI;
  const child = spawn(process.execPath, [BIN, ...parsed.args], {
    cwd: opts.scenariosDir,
    env,
    stdio: [parsed.stdin && io.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const stdout = child.stdout!;
  const stderr = child.stderr!;
  if (parsed.stdin && io.input && child.stdin) {
    child.stdin.on('error', () => {}); // the child may exit before reading all of it
    io.input.pipe(child.stdin);
  }
  let killed = false;
  const kill = () => {
    if (killed || child.exitCode !== null || child.signalCode !== null) return;
    killed = true;
    child.kill('SIGTERM');
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, 2000).unref();
  };
  // Stream stdout with backpressure: a slow link pauses the child instead of filling memory.
  stdout.on('data', (d: Buffer) => {
    if (!io.write(d)) {
      stdout.pause();
      io.once('drain', () => stdout.resume());
    }
  });
  stderr.on('data', (d: Buffer) => io.stderr.write(d));
  const timer = opts.timeoutMs > 0 ? setTimeout(() => {
    io.stderr.write(`dmadbg: the command ran longer than ${Math.round(opts.timeoutMs / 1000)} s and was stopped\n`);
    kill();
  }, opts.timeoutMs) : undefined;
  timer?.unref();
  const done = new Promise<number>((res) => {
    let out = false;
    let err = false;
    let code: number | undefined;
    const finish = () => {
      if (out && err && code !== undefined) {
        if (timer) clearTimeout(timer);
        res(code);
      }
    };
    stdout.on('end', () => ((out = true), finish()));
    stderr.on('end', () => ((err = true), finish()));
    child.on('error', (e) => {
      io.stderr.write(`dmadbg: cannot start the command: ${e.message}\n`);
      out = err = true;
      code = EXEC_EXIT.internal;
      finish();
    });
    child.on('close', (c, sig) => {
      const signo = sig ? (({ SIGTERM: 15, SIGKILL: 9, SIGINT: 2, SIGHUP: 1 }) as Record<string, number>)[sig] : undefined;
      code = c ?? (signo ? 128 + signo : 1);
      out = err = true;
      finish();
    });
  });
  return { done, kill };
}

