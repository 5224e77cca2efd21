/**
 * The scenario catalogue: the scenarios a user can name, a path to a file or the name of
 * a scenario in a directory (the package's scenarios/, or the one `serve` offers):
 * "mt8183-bus-sel" or "mt8183-bus-sel.json" (or a .jsonc file).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonc } from '../scenario/jsonc.ts';

/** Scenario files: JSON, or JSONC (with comments, as `dmadbg new` writes them). */
const SCENARIO_FILE = /\.jsonc?$/;

export interface CatalogEntry {
  readonly name: string;
  readonly file: string;
  readonly description: string;
  readonly kernel: string;
}

export function listScenarios(dir: string): CatalogEntry[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => SCENARIO_FILE.test(f) && f !== 'schema.json')
    .sort()
    .map((f) => {
      const file = join(dir, f);
      try {
        const j = parseJsonc(readFileSync(file, 'utf8')) as { name?: string; description?: string; kernel?: string };
        return { name: j.name ?? f.replace(SCENARIO_FILE, ''), file, description: j.description ?? '', kernel: j.kernel ?? 'v5.4' };
      } catch {
        return { name: f.replace(SCENARIO_FILE, ''), file, description: '(not valid JSON: run `dmadbg validate` on it)', kernel: '?' };
      }
    });
}

/** A path that exists wins; otherwise a built-in scenario's name. */
export function resolveScenario(arg: string, dir: string): string {
  if (existsSync(arg)) return arg;
  for (const name of SCENARIO_FILE.test(arg) ? [arg] : [`${arg}.json`, `${arg}.jsonc`]) {
    const byName = join(dir, name);
    if (existsSync(byName)) return byName;
  }
  return arg;
}
