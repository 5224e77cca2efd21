import type { Argv, ArgumentsCamelCase } from 'yargs';
import { kernelTable } from '../../debugger/inspect/kernels.ts';
import { TRACE_KINDS } from '../../sim/trace-kinds.ts';
import { LIMIT_ROWS } from '../../sim/limits.ts';
import { DEFAULT_LIMITS as SSH_LIMITS } from '../../ssh/limits.ts';
import { EXIT, Out } from '../output.ts';

export const infoCommand = {
  command: 'info <topic>',
  describe: 'Print reference tables: kernels (behaviour per kernel version), kinds (trace records) or limits (what dmadbg accepts)',
  builder: (y: Argv) => y.positional('topic', { choices: ['kernels', 'kinds', 'limits'] as const, demandOption: true }),
  handler: (argv: ArgumentsCamelCase<{ topic: 'kernels' | 'kinds' | 'limits' }>) => {
    const out = new Out();
    if (argv.topic === 'kernels') {
      for (const l of kernelTable()) out.line(l);
    } else if (argv.topic === 'limits') {
      for (const l of limitsTable()) out.line(l);
    } else {
      for (const k of TRACE_KINDS) out.line(`${k.kind.padEnd(20)} ${k.summary}\n${''.padEnd(20)} fields: ${Object.keys(k.fields).join(', ')}`);
    }
    out.flush();
    return EXIT.ok;
  },
};

/** Words of `text` in lines of at most `width` characters, each after `indent`. */
function wrap(text: string, indent: string, width = 80): string[] {
  const out: string[] = [];
  let cur = '';
  for (const w of text.split(' ')) {
    if (cur && indent.length + cur.length + 1 + w.length > width) {
      out.push(indent + cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) out.push(indent + cur);
  return out;
}

/** `dmadbg info limits`: the limits table (fits 80 columns), then the SSH server's defaults. */
export function limitsTable(): string[] {
  const out: string[] = [];
  for (const r of LIMIT_ROWS) out.push(`${r.name}: ${r.value}`, ...wrap(r.what, '    '), ...wrap(`when reached: ${r.whenReached}`, '    '));
  const s = SSH_LIMITS;
  out.push(
    '',
    'dmadbg serve --ssh (defaults):',
    `    sessions ${s.maxSessions} (--max-sessions); connections ${s.maxConnections} in all, ${s.maxConnectionsPerAddress} per address`,
    `    SSH banner within ${s.bannerTimeoutMs / 1000} s, login within ${s.authTimeoutMs / 1000} s of connecting`,
    `    ${s.maxAuthAttempts} failed attempts per connection, ${s.authFailuresPerMinute} failed logins per minute per address`,
    `    run/validate: ${s.maxExecsPerUser} at once per user, ${s.execTimeoutMs / 60_000} min each`,
    `    a session idle for ${s.idleTimeoutMs / 60_000} min is closed (--idle-timeout)`,
  );
  return out;
}
