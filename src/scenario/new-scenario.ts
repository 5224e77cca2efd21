/**
 * The text `dmadbg new` writes: a template's scenario (or a copy of an existing one) under
 * a new name, with `$schema` pointing editors at the JSON Schema, as JSONC with comments
 * (commented.ts) or, for a .json file, as plain JSON laid out the same way.
 */
import { toJsonc } from './commented.ts';
import { scenarioSchemaForWalk } from './json-schema.ts';
import type { Template } from './templates/index.ts';

export interface NewScenario {
  /** The scenario's name (the file's base name). */
  readonly name: string;
  /** "$schema": the path from the new file to scenarios/schema.json. */
  readonly schemaRef: string;
  /** false: plain JSON (a .json file): no comments. */
  readonly comments: boolean;
}

/** $schema, version, name and description first, then the rest in the source's order. */
function ordered(body: Readonly<Record<string, unknown>>, n: NewScenario): Record<string, unknown> {
  const { $schema: _s, version, name: _n, description, ...rest } = body;
  return { $schema: n.schemaRef, version: version ?? 1, name: n.name, description, ...rest };
}

export function templateText(t: Template, n: NewScenario): string {
  const notes = { name: `Written by \`dmadbg new ${n.name} --template ${t.id}\`: ${t.summary}.`, ...t.notes };
  return toJsonc(ordered(t.scenario as Record<string, unknown>, n), { schema: scenarioSchemaForWalk(), notes, plain: !n.comments });
}

/** A copy of a scenario document (as it was written: "64K" stays "64K"); its own comments are not kept. */
export function copyText(raw: Readonly<Record<string, unknown>>, from: string, n: NewScenario): string {
  const notes = { name: `Copied from ${from} by \`dmadbg new\`.` };
  return toJsonc(ordered(raw, n), { schema: scenarioSchemaForWalk(), notes, plain: !n.comments });
}
