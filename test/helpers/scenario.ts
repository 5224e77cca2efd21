/**
 * Test helpers: load a scenario (built-in name or path), build it, run it to the end and
 * return the trace as JSON lines; compare against golden files in test/golden/.
 * Set UPDATE_GOLDEN=1 to rewrite goldens after an intended change (then review the diff).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { resolveScenario } from '../../src/store/catalog.ts';
import { type BuildOptions, type Built, buildMachine } from '../../src/scenario/build/index.ts';
import type { ScenarioOut } from '../../src/scenario/schema/index.ts';
import { packSnapshot, unpackSnapshot } from '../../src/debugger/checkpoints.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCENARIOS = join(ROOT, 'scenarios');

export function loadScenario(nameOrPath: string): ScenarioOut {
  const file = resolveScenario(nameOrPath, SCENARIOS);
  const r = loadScenarioFile(file);
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return r.scenario;
}

/** What a test may vary: the build options and, as a scenario's `overrides` would, behaviour rows. */
export type RunOptions = BuildOptions & { overrides?: Record<string, string> };

export function build(nameOrPath: string, opts: RunOptions = {}): Built {
  const s = loadScenario(nameOrPath);
  const { overrides, ...rest } = opts;
  return buildMachine(overrides ? { ...s, overrides: { ...s.overrides, ...overrides } } : s, rest);
}

/** Run to the end (or maxEvents) and return every record as its JSON line. */
export function runLines(nameOrPath: string, opts: RunOptions & { maxEvents?: number } = {}): string[] {
  const { machine: m } = build(nameOrPath, opts);
  const max = opts.maxEvents ?? 1_000_000;
  while (m.state.events < max && m.step()) {
    /* run */
  }
  const out: string[] = [];
  for (let i = 0; i < m.trace.count; i++) out.push(m.trace.line(i));
  return out;
}

export function runRecords(nameOrPath: string, opts: RunOptions & { maxEvents?: number } = {}): Record<string, unknown>[] {
  return runLines(nameOrPath, opts).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Compare text with a committed golden file. A missing golden fails (a renamed one must not
 * silently stop guarding anything); UPDATE_GOLDEN=1 writes it instead, to review and commit.
 */
export function expectGoldenFile(file: string, text: string): void {
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(`golden ${relative(ROOT, file)} is missing: run UPDATE_GOLDEN=1 npx vitest run on this test, review the file and commit it`);
  }
  expect(text).toBe(readFileSync(file, 'utf8'));
}

/** Compare a trace with test/golden/<name> (see expectGoldenFile). */
export function expectGolden(name: string, lines: string[]): void {
  expectGoldenFile(join(ROOT, 'test', 'golden', name), lines.join('\n') + '\n');
}

/**
 * Snapshot after `k` events, run ahead to the end (changing memory and the trace), restore,
 * and run to the end again: the lines a replay from the snapshot produces. Equal to
 * runLines() when snapshot/restore captures the whole machine. The snapshot goes through
 * the debugger's checkpoint packing, the path reverse execution takes.
 */
export function linesAfterRestore(nameOrPath: string, k: number, opts: RunOptions = {}): string[] {
  const { machine: m } = build(nameOrPath, opts);
  while (m.state.events < k && m.step()) {
    /* run to the snapshot point */
  }
  const snap = packSnapshot(m);
  while (m.step()) {
    /* run ahead: nothing of it may leak through the restore */
  }
  m.restore(unpackSnapshot(snap));
  while (m.step()) {
    /* replay */
  }
  return Array.from({ length: m.trace.count }, (_, i) => m.trace.line(i));
}
