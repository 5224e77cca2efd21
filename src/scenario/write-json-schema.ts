/** `npm run schema`: regenerate scenarios/schema.json, docs/trace.md, docs/trace.schema.json and docs/scenarios.md from the code. */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema } from './json-schema.ts';
import { traceDoc, traceJsonSchema } from '../sim/trace-doc.ts';
import { scenarioDoc } from './scenario-doc.ts';

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
writeFileSync(join(PACKAGE_ROOT, 'scenarios', 'schema.json'), scenarioJsonSchema());
writeFileSync(join(PACKAGE_ROOT, 'docs', 'trace.md'), traceDoc());
writeFileSync(join(PACKAGE_ROOT, 'docs', 'trace.schema.json'), traceJsonSchema());
writeFileSync(join(PACKAGE_ROOT, 'docs', 'scenarios.md'), scenarioDoc());
console.log('wrote scenarios/schema.json, docs/trace.md, docs/trace.schema.json and docs/scenarios.md');
