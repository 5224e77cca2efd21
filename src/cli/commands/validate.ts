import type { Argv, ArgumentsCamelCase } from 'yargs';
import { readFileSync, statSync } from 'node:fs';
import { EXIT, Out } from '../output.ts';

/** A JSON Schema document (its "$schema" names a json-schema.org dialect), not a scenario. */
function isJsonSchema(file: string): boolean {
  try {
    if (statSync(file).size > 4 * 1024 * 1024) return false;
    const j = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return typeof j === 'object' && j !== null && typeof j.$schema === 'string' && /json-schema\.org/.test(j.$schema) && !('version' in j);
  } catch {
    return false;
  }
}

export const validateCommand = {
  command: 'validate <files..>',
  describe: 'Check scenario files and list every problem as file:json.path: message (hint)',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'scenario files', demandOption: true })
      .example('$0 validate scenarios/*.json', 'check every built-in scenario'),
  handler: async (argv: ArgumentsCamelCase<{ files: string[] }>) => {
    // Loaded here, not at startup: the schema and the simulator are the heavy part.
    const { loadScenarioFile } = await import('../../scenario/load.ts');
    const { buildMachine } = await import('../../scenario/build/index.ts');
    const { ScenarioError, formatProblem } = await import('../../scenario/problems.ts');
    let bad = 0;
    let skipped = 0;
    const out = new Out();
    for (const file of argv.files) {
      // `validate scenarios/*.json` also names the scenario format's JSON Schema: say so, not 9 errors.
      if (isJsonSchema(file)) {
        skipped++;
        out.line(`${file}: skipped: a JSON Schema (the scenario format editors read), not a scenario`);
        continue;
      }
      const res = loadScenarioFile(file);
      let problems = res.ok ? [] : res.problems;
      if (res.ok) {
        // Building catches what only allocation can tell (a buffer that does not fit).
        try {
          buildMachine(res.scenario, { file });
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw e;
          problems = [...e.problems];
        }
      }
      if (problems.length) {
        bad++;
        for (const p of problems) out.line(formatProblem(p));
      } else {
        out.line(`${file}: ok`);
      }
    }
    out.flush();
    const checked = argv.files.length - skipped;
    if (argv.files.length > 1) process.stderr.write(`${checked - bad} of ${checked} valid${skipped ? ` (${skipped} JSON Schema file${skipped > 1 ? 's' : ''} skipped)` : ''}\n`);
    return bad ? EXIT.error : EXIT.ok;
  },
};
