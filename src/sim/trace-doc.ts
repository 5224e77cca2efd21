/** docs/trace.md, generated from TRACE_KINDS so the documentation cannot drift from the code. */
import { TRACE_KINDS } from './trace-kinds.ts';

const INTRO = `# The trace format

Every observable effect of a simulated run is one trace record. \`dmadbg run SCENARIO --json\`
prints them as JSON Lines, the TUI timeline shows them, breakpoints match on them.

Each line is one JSON object. The first three fields are always, in this order:

| field | meaning |
|---|---|
| \`seq\` | record number, from 0, one per record (\`--until SEQ\`, \`goto SEQ\`) |
| \`t\` | virtual time in integer nanoseconds when the record was emitted |
| \`kind\` | what happened (the sections below) |

The other fields follow in the order listed for each kind; a field is absent when it does
not apply (for example \`pa\` on a faulting access). Addresses are lowercase hex strings
(\`"0x1f000"\`); page-table entries and register values are 8-digit hex words
(\`"0x00000c7f"\`); sizes and counts are plain numbers. The same scenario and seed give the same
bytes on every machine.

This file is generated from the kind table in the code (\`npm run schema\`); a test fails when
they disagree.
`;

export function traceDoc(): string {
  const parts = [INTRO];
  for (const k of TRACE_KINDS) {
    parts.push(`\n## \`${k.kind}\`\n\n${k.summary}\n\n| field | meaning |\n|---|---|`);
    for (const [f, d] of Object.entries(k.fields)) parts.push(`| \`${f}\` | ${d.replace(/\|/g, '\\|')} |`);
  }
  return parts.join('\n') + '\n';
}
