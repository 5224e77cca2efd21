/** Writes docs/keys.md from the keymap: `npx tsx src/tui/keymap/gen-doc.ts`. */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keysMarkdown } from './doc.ts';

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

writeFileSync(join(PACKAGE_ROOT, 'docs', 'keys.md'), keysMarkdown());
console.log('wrote docs/keys.md');
