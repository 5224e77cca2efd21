import React from 'react';
import { render } from 'ink';
import type { Built } from '../scenario/build/index.ts';
import { App } from './app.tsx';

/** Full-screen TUI on the alternate screen; the terminal is restored however it ends. */
export async function startTui(built: Built): Promise<void> {
  const restore = () => process.stdout.write('\x1b[?1049l\x1b[?25h');
  process.stdout.write('\x1b[?1049h\x1b[H');
  process.on('exit', restore);
  try {
    const app = render(<App built={built} />, { exitOnCtrlC: true, patchConsole: false });
    await app.waitUntilExit();
  } finally {
    restore();
  }
}
