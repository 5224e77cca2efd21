/** `npm run schema`: regenerate scenarios/schema.json, docs/trace.md and docs/trace.schema.json from the code. */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema } from './json-schema.ts';
import { traceDoc, traceJsonSchema } from '../sim/trace-doc.ts';

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
writeFileSync(join(PACKAGE_ROOT, 'scenarios', 'schema.json'), scenarioJsonSchema());
writeFileSync(join(PACKAGE_ROOT, 'docs', 'trace.md'), traceDoc());
writeFileSync(join(PACKAGE_ROOT, 'docs', 'trace.schema.json'), traceJsonSchema());
console.log('wrote scenarios/schema.json, docs/trace.md and docs/trace.schema.json');
