/**
 * Colours: 16-colour names only (every terminal has them), and none at all under NO_COLOR
 * (https://no-color.org), where emphasis falls back to inverse and bold.
 */
import React, { createContext, useContext } from 'react';
import type { Color } from './term/style.ts';

export type Tone = 'accent' | 'good' | 'warn' | 'bad' | 'muted' | 'info' | 'special';

const PALETTE: Record<Tone, Color> = {
  accent: 'cyan', good: 'green', warn: 'yellow', bad: 'red', muted: 'gray', info: 'blue', special: 'magenta',
};

export interface Theme {
  readonly color: boolean;
  /** A colour name (for Ink's `color` and for pre-styled rows), or undefined under NO_COLOR. */
  readonly c: (t: Tone) => Color | undefined;
}

export function makeTheme(color: boolean): Theme {
  return { color, c: (t) => (color ? PALETTE[t] : undefined) };
}

const ThemeContext = createContext<Theme>(makeTheme(true));
export const ThemeProvider = ({ theme, children }: { theme: Theme; children: React.ReactNode }) => (
  <ThemeContext.Provider value={theme}>{children}</ThemeContext.Provider>
);
export const useTheme = (): Theme => useContext(ThemeContext);

/** Tone of a trace record kind in the timeline. */
export function kindTone(kind: string): Tone | undefined {
  if (kind === 'fault' || kind === 'stale-tlb' || kind === 'coherency-violation' || kind === 'swiotlb-full') return 'bad';
  if (kind === 'map' || kind.endsWith('-map')) return 'good';
  if (kind === 'unmap' || kind.endsWith('-unmap')) return 'warn';
  if (kind === 'pte' || kind.endsWith('-inval')) return 'special';
  if (kind === 'notifier' || kind === 'bus-sel') return 'info';
  if (kind.startsWith('dev-')) return 'accent';
  return undefined;
}
