import type { Argv, ArgumentsCamelCase } from 'yargs';
import { TEMPLATES } from '../../scenario/templates/index.ts';

export interface NewArgs {
  name: string;
  template?: string;
  from?: string;
  force?: boolean;
  stdout?: boolean;
}

const ids = TEMPLATES.map((t) => t.id);

export const newCommand = {
  command: 'new <name>',
  describe: 'Write a commented starting scenario (NAME.jsonc) from a template or from an existing scenario',
  builder: (y: Argv) =>
    y
      .positional('name', { type: 'string', describe: 'the new scenario\'s name, or a path: NAME.jsonc is written (NAME.json: plain JSON, no comments)', demandOption: true })
      .option('template', { type: 'string', choices: ids, requiresArg: true, describe: 'start from this template (default: dma)' })
      .option('from', { type: 'string', requiresArg: true, describe: 'start from a copy of this scenario (a file or a built-in name)' })
      .option('force', { type: 'boolean', describe: 'overwrite the file if it exists' })
      .option('stdout', { type: 'boolean', describe: 'print the scenario instead of writing a file' })
      .conflicts('template', 'from')
      .example('$0 new mybug --template mtk', 'write mybug.jsonc: an mt8183 M4U scenario to edit')
      .example('$0 new fragments --from swiotlb-fragmentation', 'a commented copy of a built-in scenario')
      .example('$0 new scenarios-dir/vdec.json --template mtk', 'plain JSON, no comments')
      .epilogue(`Templates:\n${TEMPLATES.map((t) => `  ${t.id.padEnd(11)} ${t.summary}`).join('\n')}\n\nThe file carries comments (// and /* */ are allowed in scenario files) taken from the scenario schema's descriptions: docs/scenarios.md has the same words. Then: dmadbg validate NAME.jsonc, dmadbg run NAME.jsonc, dmadbg tui NAME.jsonc.`),
  handler: async (argv: ArgumentsCamelCase<NewArgs>) => (await import('./new-impl.ts')).newHandler(argv),
};
