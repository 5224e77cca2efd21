/**
 * docs/trace.md and docs/trace.schema.json, generated from the kind specs
 * (src/sim/trace-kinds.ts) so the documentation and the schema cannot drift from the code.
 */
import { TRACE_KINDS } from './trace-kinds.ts';
import type { Field } from './trace/field.ts';
import type { KindSpec } from './trace/spec.ts';

const INTRO = `# The trace format

Every observable effect of a simulated run is one trace record. \`dmadbg run SCENARIO --json\`
prints them as JSON Lines, the TUI timeline shows them, breakpoints match on them.

Each line is one JSON object. The first three fields are always, in this order:

| field | meaning |
|---|---|
| \`seq\` | record number, from 0, one per record (\`--until SEQ\`, \`goto SEQ\`) |
| \`t\` | virtual time in integer nanoseconds when the record was emitted |
| \`kind\` | what happened (the sections below) |

The other fields follow in the order listed for each kind; an optional field is absent when
it does not apply (for example \`pa\` on a faulting access). Addresses are lowercase hex
strings (\`"0x1f000"\`); page-table entries and register values are 8-digit hex words
(\`"0x00000c7f"\`), 64-bit words 16-digit ones; checksums are 8 hex digits without \`0x\`;
sizes and counts are plain numbers. The same scenario and seed give the same bytes on every
machine. Breakpoint conditions compare addresses and words as numbers
(\`break kind=dma where addr>=0x40000000\`).

[trace.schema.json](trace.schema.json) is the JSON Schema of one line. This file and the
schema are generated from the record specs in the code (\`npm run schema\`); a test fails
when they disagree.
`;

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** The type column of a field: how its value reads in the line. */
function fieldTypeText(f: Field<unknown, boolean>): string {
  let t: string;
  switch (f.format) {
    case 'str':
      t = f.values ? f.values.map((v) => `"${v}"`).join(' or ') : 'string';
      break;
    case 'int':
      t = 'integer';
      break;
    case 'bool':
      t = 'boolean';
      break;
    case 'hex':
      t = 'hex address "0x…"';
      break;
    case 'hex32':
      t = '32-bit word "0x%08x"';
      break;
    case 'hex64':
      t = '64-bit word "0x%016x"';
      break;
    case 'fnv32':
      t = 'checksum "%08x"';
      break;
    case 'text':
      t = f.codec!.shape;
      break;
  }
  for (const w of f.words) t += ` or "${w}"`;
  if (f.nullable) t += ' or null';
  return f.optional ? `${t}, optional` : t;
}

function kindSection(k: KindSpec): string {
  const stage = k.stage === 'report' ? '\n\nA fault report, after the faulting access (the `dma` record with result "fault"): `break fault-irq` stops here, `break fault` at the access.' : '';
  const rows = [`\n## \`${k.kind}\`\n\n${k.summary}${stage}\n\n| field | type | meaning |\n|---|---|---|`];
  for (const [name, f] of Object.entries(k.fields)) rows.push(`| \`${name}\` | ${cell(fieldTypeText(f))} | ${cell(f.doc)} |`);
  return rows.join('\n');
}

export function traceDoc(): string {
  return [INTRO, ...TRACE_KINDS.map(kindSection)].join('\n') + '\n';
}

// ---- JSON Schema ---------------------------------------------------------------------------

type Schema = Record<string, unknown>;

const PATTERNS: Partial<Record<Field<unknown, boolean>['format'], string>> = {
  hex: '^0x[0-9a-f]+$',
  hex32: '^0x[0-9a-f]{8}$',
  hex64: '^0x[0-9a-f]{16}$',
  fnv32: '^[0-9a-f]{8}$',
};

function valueSchema(f: Field<unknown, boolean>): Schema {
  switch (f.format) {
    case 'str':
      return f.values ? { type: 'string', enum: [...f.values] } : { type: 'string' };
    case 'int':
      return { type: 'integer' };
    case 'bool':
      return { type: 'boolean' };
    case 'text':
      return f.codec!.pattern ? { type: 'string', pattern: f.codec!.pattern } : { type: 'string' };
    default:
      return { type: 'string', pattern: PATTERNS[f.format] };
  }
}

function fieldSchema(f: Field<unknown, boolean>): Schema {
  const alts = [valueSchema(f)];
  if (f.words.length) alts.push({ enum: [...f.words] });
  if (f.nullable) alts.push({ type: 'null' });
  return alts.length === 1 ? { description: f.doc, ...alts[0] } : { description: f.doc, anyOf: alts };
}

function kindSchema(k: KindSpec): Schema {
  const properties: Record<string, Schema> = {
    seq: { type: 'integer', minimum: 0 },
    t: { type: 'integer', minimum: 0 },
    kind: { const: k.kind },
  };
  const required = ['seq', 't', 'kind'];
  for (const [name, f] of Object.entries(k.fields)) {
    properties[name] = fieldSchema(f);
    if (!f.optional) required.push(name);
  }
  return { title: k.kind, description: k.summary, type: 'object', properties, required, additionalProperties: false };
}

/** The JSON Schema (draft 2020-12) of one line of `dmadbg run --json`. */
export function traceJsonSchema(): string {
  const doc = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'dmadbg trace record',
    description: 'One line of `dmadbg run SCENARIO --json` (see docs/trace.md). Generated by `npm run schema`.',
    type: 'object',
    required: ['seq', 't', 'kind'],
    oneOf: TRACE_KINDS.map(kindSchema),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
