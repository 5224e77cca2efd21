/**
 * Test helpers: load a scenario (built-in name or path), build it, run it to the end and
 * return the trace as JSON lines; compare against golden files in test/golden/.
 * Set UPDATE_GOLDEN=1 to rewrite goldens after an intended change (then review the diff).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { resolveScenario } from '../../src/scenario/catalog.ts';
import { type BuildOptions, type Built, buildMachine } from '../../src/scenario/build/index.ts';
import type { ScenarioOut } from '../../src/scenario/schema/index.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCENARIOS = join(ROOT, 'scenarios');

export function loadScenario(nameOrPath: string): ScenarioOut {
  const file = resolveScenario(nameOrPath, SCENARIOS);
  const r = loadScenarioFile(file);
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return r.scenario;
}

export function build(nameOrPath: string, opts: BuildOptions = {}): Built {
  return buildMachine(loadScenario(nameOrPath), opts);
}

/** Run to the end (or maxEvents) and return every record as its JSON line. */
export function runLines(nameOrPath: string, opts: BuildOptions & { maxEvents?: number } = {}): string[] {
  const { machine: m } = build(nameOrPath, opts);
  const max = opts.maxEvents ?? 1_000_000;
  while (m.state.events < max && m.step()) {
    /* run */
  }
  const out: string[] = [];
  for (let i = 0; i < m.trace.count; i++) out.push(m.trace.line(i));
  return out;
}

export function runRecords(nameOrPath: string, opts: BuildOptions & { maxEvents?: number } = {}): Record<string, unknown>[] {
  return runLines(nameOrPath, opts).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Compare a trace with test/golden/<name>; a missing golden is written (and the test says so). */
export function expectGolden(name: string, lines: string[]): void {
  const file = join(ROOT, 'test', 'golden', name);
  const text = lines.join('\n') + '\n';
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    if (!process.env.UPDATE_GOLDEN) console.warn(`golden ${name} was missing and has been written; commit it`);
    return;
  }
  expect(text).toBe(readFileSync(file, 'utf8'));
}

/**
 * Snapshot after `k` events, run ahead to the end (changing memory and the trace), restore,
 * and run to the end again: the lines a replay from the snapshot produces. Equal to
 * runLines() when snapshot/restore captures the whole machine.
 */
export function linesAfterRestore(nameOrPath: string, k: number, opts: BuildOptions = {}): string[] {
  const { machine: m } = build(nameOrPath, opts);
  while (m.state.events < k && m.step()) {
    /* run to the snapshot point */
  }
  const snap = m.snapshot();
  while (m.step()) {
    /* run ahead: nothing of it may leak through the restore */
  }
  m.restore(snap);
  while (m.step()) {
    /* replay */
  }
  return Array.from({ length: m.trace.count }, (_, i) => m.trace.line(i));
}
