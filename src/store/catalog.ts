/**
 * The scenario catalogue: the scenarios a user can name, a path to a file or the name of
 * a scenario in a directory (the package's scenarios/, or the one `serve` offers):
 * "mt8183-bus-sel" or "mt8183-bus-sel.json".
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CatalogEntry {
  readonly name: string;
  readonly file: string;
  readonly description: string;
  readonly kernel: string;
}

export function listScenarios(dir: string): CatalogEntry[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'schema.json')
    .sort()
    .map((f) => {
      const file = join(dir, f);
      try {
        const j = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; description?: string; kernel?: string };
        return { name: j.name ?? f.replace(/\.json$/, ''), file, description: j.description ?? '', kernel: j.kernel ?? 'v5.4' };
      } catch {
        return { name: f.replace(/\.json$/, ''), file, description: '(not valid JSON: run `dmadbg validate` on it)', kernel: '?' };
      }
    });
}

/** A path that exists wins; otherwise a built-in scenario's name. */
export function resolveScenario(arg: string, dir: string): string {
  if (existsSync(arg)) return arg;
  const byName = join(dir, arg.endsWith('.json') ? arg : `${arg}.json`);
  return existsSync(byName) ? byName : arg;
}
