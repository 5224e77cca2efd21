import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests and the CLIs they spawn never touch the user's real workspace.
const workspace = mkdtempSync(join(tmpdir(), 'dmadbg-test-workspace-'));

export default defineConfig({
  // NODE_ENV=production below loads React's production jsx-dev-runtime, which has no
  // jsxDEV: compile JSX for the production runtime too (the CLI runs it that way).
  oxc: { jsx: { runtime: 'automatic', development: false } },
  test: {
    environment: 'node',
    // Ink reads is-in-ci once at import: with CI set it draws nothing until exit.
    env: { CI: '0', DMADBG_WORKSPACE: workspace, NODE_ENV: 'production' },
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
