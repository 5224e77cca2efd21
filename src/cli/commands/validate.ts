import type { Argv, ArgumentsCamelCase } from 'yargs';
import { readFileSync, statSync } from 'node:fs';
import { EXIT, Out } from '../output.ts';
import { parseJsonc } from '../../scenario/jsonc.ts';

/** A JSON Schema document (its "$schema" names a json-schema.org dialect), not a scenario. */
function isJsonSchema(file: string): boolean {
  try {
    if (statSync(file).size > 4 * 1024 * 1024) return false;
    const j = parseJsonc(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return typeof j === 'object' && j !== null && typeof j.$schema === 'string' && /json-schema\.org/.test(j.$schema) && !('version' in j);
  } catch {
    return false;
  }
}

export const validateCommand = {
  command: 'validate <files..>',
  describe: 'Check scenario files: every problem in one pass as file:json.path: message (hint), then warnings of what will certainly go wrong at run time (exit 0 with warnings only)',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, describe: 'scenario files', demandOption: true })
      .example('$0 validate scenarios/*.json', 'check every built-in scenario')
      .example('$0 validate mybug.jsonc', 'a file `dmadbg new` wrote (comments allowed)')
      .epilogue('Exit 0 when every file is valid (warnings included), 1 when any has a problem. Scenario files are JSON; // and /* */ comments are allowed.'),
  handler: async (argv: ArgumentsCamelCase<{ files: string[] }>) => {
    // Loaded here, not at startup: the schema and the simulator are the heavy part.
    const { validateScenarioFile } = await import('../../scenario/validate.ts');
    const { formatProblem } = await import('../../scenario/problems.ts');
    let bad = 0;
    let skipped = 0;
    let warned = 0;
    const out = new Out();
    for (const file of argv.files) {
      // `validate scenarios/*.json` also names the scenario format's JSON Schema: say so, not 9 errors.
      if (isJsonSchema(file)) {
        skipped++;
        out.line(`${file}: skipped: a JSON Schema (the scenario format editors read), not a scenario`);
        continue;
      }
      const { problems, warnings } = validateScenarioFile(file);
      if (problems.length) bad++;
      for (const p of problems) out.line(formatProblem(p));
      for (const w of warnings) out.line(formatProblem({ ...w, message: `warning: ${w.message}` }));
      if (warnings.length) warned++;
      if (!problems.length) out.line(`${file}: ok${warnings.length ? ` (${warnings.length} warning${warnings.length > 1 ? 's' : ''})` : ''}`);
    }
    out.flush();
    const checked = argv.files.length - skipped;
    if (argv.files.length > 1) {
      process.stderr.write(`${checked - bad} of ${checked} valid${warned ? `, ${warned} with warnings` : ''}${skipped ? ` (${skipped} JSON Schema file${skipped > 1 ? 's' : ''} skipped)` : ''}\n`);
    }
    return bad ? EXIT.error : EXIT.ok;
  },
};
