/** `npm run schema`: regenerate scenarios/schema.json, docs/trace.md and docs/trace.schema.json from the code. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioJsonSchema } from './json-schema.ts';
import { traceDoc, traceJsonSchema } from '../sim/trace-doc.ts';
import { PACKAGE_ROOT, SCENARIOS_DIR } from '../cli/paths.ts';

writeFileSync(join(SCENARIOS_DIR, 'schema.json'), scenarioJsonSchema());
writeFileSync(join(PACKAGE_ROOT, 'docs', 'trace.md'), traceDoc());
writeFileSync(join(PACKAGE_ROOT, 'docs', 'trace.schema.json'), traceJsonSchema());
console.log('wrote scenarios/schema.json, docs/trace.md and docs/trace.schema.json');
