/**
 * `dmadbg SCENARIO` (as in `ssh -t host dmadbg SCENARIO`) means `dmadbg tui SCENARIO`, but
 * only when the word names a scenario that exists: a mistyped command must still get
 * "did you mean", not a TUI opened on nothing (the catch-all default yargs would give).
 */
import { existsSync, statSync } from 'node:fs';
import { listScenarios, resolveScenario } from '../store/catalog.ts';
import { closest } from '../scenario/suggest.ts';

export function withImplicitTui(argv: string[], commands: readonly string[], scenariosDir: string): { argv: string[] } | { error: string } {
  const first = argv[0];
  if (first === undefined || first.startsWith('-') || commands.includes(first)) return { argv };
  const file = resolveScenario(first, scenariosDir);
  if (existsSync(file) && statSync(file).isFile()) return { argv: ['tui', ...argv] };
  const nearCommand = closest(first, commands);
  if (nearCommand) return { argv }; // yargs says "did you mean <command>"
  const nearScenario = closest(first, listScenarios(scenariosDir).map((e) => e.name));
  return {
    error: `"${first}" is neither a command nor a scenario${nearScenario ? ` (did you mean ${nearScenario}?)` : ''}; \`dmadbg --help\` lists commands, \`dmadbg list\` scenarios`,
  };
}
