/**
 * `info TOPIC` inspectors. Each model registers its own (inspect/<model>.ts, imported by
 * inspect/index.ts) so `info iommu` appears when the M4U model lands; the debugger
 * core never learns model internals. An inspector whose model is absent answers
 * "no such model in this scenario".
 */
import type { Machine } from '../../sim/machine.ts';
import type { ModelKey } from '../../sim/core/keys.ts';
import type { Built } from '../../scenario/build/index.ts';

export interface InspectContext {
  readonly machine: Machine;
  readonly built: Built;
}

export interface Inspector {
  /** The word after `info`. */
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** The models it needs; any one present is enough. None: always available. */
  readonly models?: readonly ModelKey<unknown>[];
  readonly run: (ctx: InspectContext, args: readonly string[]) => string[];
}

const REGISTRY = new Map<string, Inspector>();

export function registerInspector(i: Inspector): void {
  REGISTRY.set(i.name, i);
}

export function inspector(name: string): Inspector | undefined {
  return REGISTRY.get(name);
}

export function inspectors(): Inspector[] {
  return [...REGISTRY.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Is the inspector's model in this machine? */
export function available(i: Inspector, m: Machine): boolean {
  return !i.models || i.models.some((k) => m.hasModel(k));
}

/**
 * A stand-in for a model that has not registered its own inspector yet: if the model's
 * state is present, print its top-level fields; else say it is absent.
 */
export function placeholder(name: string, summary: string, models: readonly ModelKey<unknown>[], usage = `info ${name}`): Inspector {
  return {
    name,
    usage,
    summary,
    models,
    run: ({ machine }) => {
      const key = models.find((k) => machine.hasModel(k))!;
      const st = machine.model(key) as Record<string, unknown>;
      const lines = [`${key.name} (raw state; this model has no inspector yet):`];
      for (const [k, v] of Object.entries(st ?? {})) lines.push(`  ${k}: ${brief(v)}`);
      return lines;
    },
  };
}

function brief(v: unknown): string {
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as Uint8Array).length})`;
  if (v instanceof Map) return `Map(${v.size})`;
  if (Array.isArray(v)) return `Array(${v.length})`;
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 100 ? s.slice(0, 97) + '...' : s;
}
