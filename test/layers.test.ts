// The layers of ARCHITECTURE.md, enforced: every import in src/ (static, re-export,
// side-effect or dynamic, types included) may only point at its own layer or one this
// table allows. sim/ imports nothing outside itself, not even Node's modules, so it stays
// pure and deterministic; React and Ink stay in the terminal layers.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ROOT } from './helpers/scenario.ts';

const LAYERS = ['sim', 'scenario', 'store', 'debugger', 'tui', 'ssh', 'cli'] as const;
type Layer = (typeof LAYERS)[number];

/** Which other layers a layer may import (its own is always allowed). */
const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  sim: [],
  scenario: ['sim'],
  store: ['scenario', 'sim'],
  debugger: ['scenario', 'sim'],
  tui: ['debugger'],
  ssh: ['tui', 'debugger', 'store'],
  cli: ['ssh', 'tui', 'debugger', 'store', 'scenario', 'sim'],
};

/** Packages (and node: builtins) a layer may import; sim none at all. */
const MAY_USE: Readonly<Record<Layer, (pkg: string) => boolean>> = {
  sim: () => false,
  scenario: (p) => !/^(react|ink)(\/|$)/.test(p),
  store: (p) => !/^(react|ink)(\/|$)/.test(p),
  debugger: (p) => !/^(react|ink)(\/|$)/.test(p),
  tui: () => true,
  ssh: () => true,
  cli: () => true,
};

const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(p) ? [p] : [];
  });
}

/** Every module specifier a file names, comments dropped. */
export function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out: string[] = [];
  const re = /\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g;
  for (let m = re.exec(code); m; m = re.exec(code)) out.push(m[1] ?? m[2]);
  return out;
}

const layerOf = (file: string): Layer => relative(SRC, file).split(sep)[0] as Layer;

describe('layering of src/', () => {
  const all = files(SRC);

  it('the import scanner sees static, type, re-export, side-effect and dynamic imports', () => {
    const sample = [
      "import { a } from './a.ts';",
      "import type {\n  B,\n} from '../b.ts';",
      "export * from './c.ts';",
      "import './d.ts';",
      "const { e } = await import('../../e.ts');",
      "// import { no } from './commented.ts';",
      "export type * from '../f.ts';",
    ].join('\n');
    expect(specifiers(sample)).toEqual(['./a.ts', '../b.ts', './c.ts', './d.ts', '../../e.ts', '../f.ts']);
  });

  it('every source file belongs to a layer', () => {
    expect(all.length).toBeGreaterThan(100);
    for (const f of all) expect(LAYERS, relative(ROOT, f)).toContain(layerOf(f));
  });

  it('imports point only down the table', () => {
    const offences: string[] = [];
    let seen = 0;
    for (const f of all) {
      const from = layerOf(f);
      for (const spec of specifiers(readFileSync(f, 'utf8'))) {
        seen++;
        const where = `${relative(ROOT, f)} imports ${spec}`;
        if (!spec.startsWith('.')) {
          if (!MAY_USE[from](spec)) offences.push(`${where} (${from}/ may not use this package)`);
          continue;
        }
        const target = resolve(dirname(f), spec);
        if (!target.startsWith(SRC + sep)) {
          offences.push(`${where} (outside src/)`);
          continue;
        }
        const to = layerOf(target);
        if (to !== from && !MAY_IMPORT[from].includes(to)) offences.push(`${where} (${from}/ may not import ${to}/)`);
      }
    }
    expect(seen).toBeGreaterThan(500);
    expect(offences).toEqual([]);
  });
});
