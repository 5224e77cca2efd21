/** Where the package's own files are, wherever it is run from. */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCENARIOS_DIR = join(PACKAGE_ROOT, 'scenarios');
export const DEMO_SCENARIO = 'demo-dma-engine';
