/** Writes docs/keys.md from the keymap: `npx tsx src/tui/keymap/gen-doc.ts`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../cli/paths.ts';
import { keysMarkdown } from './doc.ts';

writeFileSync(join(PACKAGE_ROOT, 'docs', 'keys.md'), keysMarkdown());
console.log('wrote docs/keys.md');
