/** The workspace file's shape (validated on every read; a `version` for migrations). */
import { z } from 'zod';

export const SavedPointZ = z.object({
  type: z.enum(['breakpoint', 'watchpoint', 'logpoint']),
  what: z.string(),
  temporary: z.boolean(),
  enabled: z.boolean(),
  ignore: z.number().int().nonnegative(),
  condition: z.string().optional(),
  commands: z.array(z.string()),
});

/** Per scenario, keyed by scenario name; the hash says which version the points were set on. */
export const ScenarioEntryZ = z.object({
  name: z.string(),
  file: z.string().optional(),
  hash: z.string().optional(),
  lastOpened: z.string(),
  points: z.array(SavedPointZ),
  bookmarks: z.record(z.string(), z.number().int().nonnegative()),
});

/** A recorded run's index entry; the run itself is runs/<id>.ndjson. */
export const RunIndexZ = z.object({
  id: z.string(),
  scenario: z.string(),
  file: z.string(),
  hash: z.string(),
  seed: z.number().int().nonnegative(),
  kernel: z.string(),
  startedAt: z.string(),
  path: z.string(),
  commands: z.number().int().nonnegative(),
  stops: z.number().int().nonnegative(),
  exit: z.number().int(),
});

export const WorkspaceZ = z.object({
  version: z.literal(1),
  scenarios: z.record(z.string(), ScenarioEntryZ),
  /** Scenario names, most recently opened first. */
  recent: z.array(z.string()),
  history: z.array(z.string()),
  runs: z.array(RunIndexZ),
});

export type WorkspaceData = z.infer<typeof WorkspaceZ>;
export type ScenarioEntry = z.infer<typeof ScenarioEntryZ>;
export type SavedPoint = z.infer<typeof SavedPointZ>;
export type RunIndex = z.infer<typeof RunIndexZ>;

export function emptyWorkspace(): WorkspaceData {
  return { version: 1, scenarios: {}, recent: [], history: [], runs: [] };
}

export const RECENT_MAX = 20;
export const HISTORY_MAX = 1000;
export const RUNS_MAX = 200;
