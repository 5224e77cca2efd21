import type { Argv, ArgumentsCamelCase } from 'yargs';
import { kernelTable } from '../../debugger/inspect/kernels.ts';
import { TRACE_KINDS } from '../../sim/trace-kinds.ts';
import { EXIT } from '../output.ts';

export const infoCommand = {
  command: 'info <topic>',
  describe: 'Print reference tables: kernels (behaviour per kernel version) or kinds (trace records)',
  builder: (y: Argv) => y.positional('topic', { choices: ['kernels', 'kinds'] as const, demandOption: true }),
  handler: (argv: ArgumentsCamelCase<{ topic: 'kernels' | 'kinds' }>) => {
    if (argv.topic === 'kernels') {
      process.stdout.write(kernelTable().join('\n') + '\n');
    } else {
      for (const k of TRACE_KINDS) process.stdout.write(`${k.kind.padEnd(20)} ${k.summary}\n${''.padEnd(20)} fields: ${Object.keys(k.fields).join(', ')}\n`);
    }
    return EXIT.ok;
  },
};
