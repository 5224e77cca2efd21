import type { Argv, ArgumentsCamelCase } from 'yargs';
import { EXIT, Out } from '../output.ts';

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
    const out = new Out();
    for (const file of argv.files) {
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
    if (argv.files.length > 1) process.stderr.write(`${argv.files.length - bad} of ${argv.files.length} valid\n`);
    return bad ? EXIT.error : EXIT.ok;
  },
};
