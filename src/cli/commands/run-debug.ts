/**
 * `dmadbg run SCENARIO --commands FILE` and `dmadbg run --replay ID`: the debugger,
 * headless. Each command's output follows an echo of the command (or one JSON object per
 * command with --json). Exit 0: the commands ran out or the scenario ended; 3: stopped at
 * a breakpoint; 1: a command failed (or a --replay's stops differ); 70: a simulator
 * assertion (a reverse motion replayed differently: a dmadbg bug).
 */
import { writeExportFile } from '../export-file.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Session } from '../../debugger/session.ts';
import { type ScriptLine, runScript, scriptSource, stopJson } from '../../debugger/script.ts';
import { KERNEL_VERSIONS, type KernelVersion, isKernelVersion } from '../../sim/kernel.ts';
import { workspaceDir } from '../../store/paths.ts';
import { newRunId, readRun, saveRun } from '../../store/runs.ts';
import { spillFor, wireSession } from '../session-store.ts';
import { openWorkspace } from '../../store/workspace.ts';
import { loadAndBuild, type Loaded } from '../load.ts';
import { EXIT, Out, UsageError } from '../output.ts';
import { reportInternalError } from '../crash.ts';
import { LIMITS } from '../../sim/limits.ts';
import { runLabel } from '../overrides.ts';

export interface DebugRunArgs {
  scenario?: string;
  commands?: string;
  replay?: string;
  json?: boolean;
  workspace?: string;
  record?: boolean;
  restore?: boolean;
  seed?: number;
  kernel?: KernelVersion;
  maxEvents?: number;
  overrides?: Record<string, string>;
}

const warn = (l: string) => process.stderr.write(l + '\n');

/** The command file, or standard input for "-" (`ssh host run X --commands - < fault.cmds`). */
export function readCommands(file: string): ScriptLine[] {
  const name = file === '-' ? 'standard input' : file;
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new UsageError(`--commands: cannot read ${name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT.error);
  }
  if (text.length > LIMITS.fileBytes) throw new UsageError(`--commands: ${name} has ${text.length} bytes; a command file may have at most ${LIMITS.fileBytes}`, EXIT.error);
  return scriptSource(text);
}

function exitOf(code: 0 | 1 | 3 | 70): number {
  return code === 3 ? EXIT.stopped : code === 1 ? EXIT.error : code === 70 ? EXIT.internal : EXIT.ok;
}

function makeSession(loaded: Loaded, a: DebugRunArgs): { session: Session; flush: () => void } {
  const ws = openWorkspace(workspaceDir(a.workspace), { warn });
  const base = { file: loaded.file, hash: loaded.hash, maxEvents: a.maxEvents, writeExport: writeExportFile };
  if (!a.restore) return { session: new Session(loaded, { ...base, spill: spillFor(ws) }), flush: () => {} };
  const wired = wireSession(ws, { name: loaded.scenario.name, file: loaded.file, hash: loaded.hash }, { history: false });
  if (wired.notice) warn(`dmadbg: ${wired.notice}`);
  for (const r of wired.restored) warn(`dmadbg:   ${r}`);
  return { session: new Session(loaded, { ...wired.options, ...base }), flush: wired.flush };
}

export async function runCommandsFile(a: DebugRunArgs): Promise<number> {
  if (!a.scenario) throw new UsageError('run: name a scenario (or use --replay ID)');
  const lines = readCommands(a.commands!);
  const loaded = loadAndBuild(a.scenario, { seed: a.seed, kernel: a.kernel, overrides: a.overrides });
  const m = loaded.machine;
  process.stderr.write(`dmadbg: ${runLabel(loaded.scenario.name, m.config.seed, m.config.kernel, a.overrides)}\n`);
  const { session, flush } = makeSession(loaded, a);
  const startedAt = new Date().toISOString();
  const res = runScript(session, lines, { json: a.json, file: a.commands });
  flush();
  const out = new Out();
  for (const l of res.out) out.line(l);
  await out.end();
  const exit = exitOf(res.code);
  // An internal error is reported once, below, with its crash log.
  if (res.error && exit !== EXIT.internal) warn(res.error);
  if (exit === EXIT.internal) reportInternalError(session.internalError ?? new Error('internal error'), a.workspace ? workspaceDir(a.workspace) : undefined);
  if (a.record !== false) {
    const ws = openWorkspace(workspaceDir(a.workspace), { warn });
    const id = newRunId();
    // The journal: the script's lines, preceded by any restored breakpoints as commands.
    const steps = session.journal.map((j) => ({ type: 'command' as const, line: j.line, ...(j.stop ? { stop: stopJson(j.stop) } : {}) }));
    const saved = saveRun(ws, {
      header: { type: 'run', id, scenario: loaded.scenario.name, file: resolve(loaded.file), hash: loaded.hash, seed: m.config.seed, kernel: m.config.kernel, ...(a.overrides ? { overrides: a.overrides } : {}), startedAt },
      steps,
      exit,
    });
    if (saved) process.stderr.write(`dmadbg: recorded run ${id} (replay: dmadbg run --replay ${id})\n`);
  }
  return exit;
}

export async function replayRun(a: DebugRunArgs): Promise<number> {
  const ws = openWorkspace(workspaceDir(a.workspace), { warn });
  const idx = ws.run(a.replay!);
  if (!idx) {
    const ids = ws.read().runs.slice(-5).map((r) => r.id);
    throw new UsageError(`--replay: no recorded run "${a.replay}" in ${ws.dir}${ids.length ? ` (recent: ${ids.join(', ')}, or "last")` : ''}`, EXIT.error);
  }
  let run;
  try {
    run = readRun(idx.path);
  } catch (e) {
    throw new UsageError(`--replay: ${(e as Error).message}`, EXIT.error);
  }
  const h = run.header;
  if (!isKernelVersion(h.kernel)) {
    throw new UsageError(`--replay: run ${h.id} was recorded on kernel "${h.kernel}", which this dmadbg does not model (one of: ${KERNEL_VERSIONS.join(', ')})`, EXIT.error);
  }
  const loaded = loadAndBuild(h.file, { seed: h.seed, kernel: h.kernel, overrides: h.overrides });
  process.stderr.write(`dmadbg: replaying ${h.id}: ${runLabel(h.scenario, h.seed, h.kernel, h.overrides)}\n`);
  if (loaded.hash !== h.hash) warn(`dmadbg: ${h.file} changed since run ${h.id} was recorded; the replay may differ`);
  const session = new Session(loaded, { file: loaded.file, hash: loaded.hash, maxEvents: a.maxEvents, spill: spillFor(ws), writeExport: writeExportFile });
  const res = runScript(session, run.steps.map((s) => s.line), { json: a.json });
  const out = new Out();
  for (const l of res.out) out.line(l);
  await out.end();
  if (res.code === 70) reportInternalError(session.internalError ?? new Error('internal error'), a.workspace ? workspaceDir(a.workspace) : undefined);
  for (let i = 0; i < run.steps.length; i++) {
    const want = JSON.stringify(run.steps[i].stop ?? null);
    const got = JSON.stringify(res.stopOf[i] ? stopJson(res.stopOf[i]!) : null);
    if (want !== got) {
      warn(`dmadbg: replay of ${h.id} diverged at command ${i + 1} (${run.steps[i].line}):\n  recorded ${want}\n  replayed ${got}`);
      return EXIT.error;
    }
  }
  process.stderr.write(`dmadbg: replay of ${h.id} matches the recording (${run.steps.length} commands, ${res.stops.length} stops)\n`);
  return exitOf(res.code);
}
