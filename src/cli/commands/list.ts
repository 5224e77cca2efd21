import type { Argv } from 'yargs';
import { listScenarios } from '../../store/catalog.ts';
import { SCENARIOS_DIR } from '../paths.ts';
import { EXIT, Out } from '../output.ts';

export const listCommand = {
  command: 'list',
  describe: 'List the built-in scenarios with a one-line description each',
  builder: (y: Argv) => y.option('json', { type: 'boolean', describe: 'print JSON' }),
  handler: (argv: { json?: boolean }) => {
    const all = listScenarios(SCENARIOS_DIR);
    const out = new Out();
    if (argv.json) {
      out.line(JSON.stringify(all.map(({ name, description, kernel }) => ({ name, description, kernel }))));
      out.flush();
      return EXIT.ok;
    }
    const w = Math.max(...all.map((e) => e.name.length), 4);
    const kw = Math.max(...all.map((e) => e.kernel.length), 4);
    // On a terminal, one line per scenario; piped output keeps the whole description.
    const cols = process.stdout.isTTY ? process.stdout.columns || 80 : Infinity;
    for (const e of all) {
      const line = `${e.name.padEnd(w)}  ${e.kernel.padEnd(kw)}  ${e.description}`;
      out.line(line.length > cols ? line.slice(0, cols - 1) + '…' : line);
    }
    out.flush();
    return EXIT.ok;
  },
};
