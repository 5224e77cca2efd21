/** Where the package's own files are, wherever it runs from (src/ through tsx, or dist/). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The nearest directory at or above this module's that holds package.json. */
function packageRoot(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`dmadbg: no package.json above ${fileURLToPath(moduleUrl)}`);
    dir = up;
  }
  return dir;
}

export const PACKAGE_ROOT = packageRoot(import.meta.url);
