import type { Argv, ArgumentsCamelCase } from 'yargs';
import { BEHAVIOURS } from '../../sim/kernel.ts';
import { TRACE_KINDS } from '../../sim/trace-kinds.ts';
import { EXIT } from '../output.ts';

export const infoCommand = {
  command: 'info <topic>',
  describe: 'Print reference tables: kernels (behaviour per kernel version) or kinds (trace records)',
  builder: (y: Argv) => y.positional('topic', { choices: ['kernels', 'kinds'] as const, demandOption: true }),
  handler: (argv: ArgumentsCamelCase<{ topic: 'kernels' | 'kinds' }>) => {
    if (argv.topic === 'kernels') {
      const w = Math.max(...BEHAVIOURS.map((b) => b.id.length));
      process.stdout.write(`${'behaviour'.padEnd(w)}  ${'v5.0'.padEnd(16)}  ${'v5.4'.padEnd(20)}  choices\n`);
      for (const b of BEHAVIOURS) {
        process.stdout.write(`${b.id.padEnd(w)}  ${b.v50.padEnd(16)}  ${b.v54.padEnd(20)}  ${b.choices.join('|')}\n`);
        process.stdout.write(`${''.padEnd(w)}  ${b.summary}\n${''.padEnd(w)}  source: ${b.source}\n`);
      }
    } else {
      for (const k of TRACE_KINDS) process.stdout.write(`${k.kind.padEnd(20)} ${k.summary}\n${''.padEnd(20)} fields: ${Object.keys(k.fields).join(', ')}\n`);
    }
    return EXIT.ok;
  },
};
