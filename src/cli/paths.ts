/** The package's own files (the root is found in store/, which ssh may import too). */
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../store/package-root.ts';

export { PACKAGE_ROOT };
export const SCENARIOS_DIR = join(PACKAGE_ROOT, 'scenarios');
export const DEMO_SCENARIO = 'demo-dma-engine';
