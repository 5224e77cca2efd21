/**
 * Bindings that work everywhere (unless the focused panel shadows them) and panel movement.
 * One direction per letter, everywhere: a lower-case motion key goes forward as the command
 * of the same letter does (`s` and `:s` step, `c` and `:c` continue, `r` and `:r` run from
 * the start, as in gdb); its upper case goes back (`S`, `C`, `I`), as `n`/`N` search.
 */
import type { Binding } from './binding.ts';

export const GLOBAL_BINDINGS: readonly Binding[] = [
  { keys: ['s'], scope: 'global', command: 'step', exec: 'step', description: 'Step one event (finish the current one when stopped inside it)', tag: 'run', hint: 'step', mutates: true },
  { keys: ['S'], scope: 'global', command: 'reverse-step', exec: 'reverse-step', description: 'Reverse-step one event', tag: 'run', hint: 'back', mutates: true },
  { keys: ['i'], scope: 'global', command: 'stepi', exec: 'stepi', description: 'Step one trace record: stop right after the next record is emitted', tag: 'run', hint: 'stepi', mutates: true },
  { keys: ['I'], scope: 'global', command: 'reverse-stepi', exec: 'reverse-stepi', description: 'Reverse-step one trace record', tag: 'run', mutates: true },
  { keys: ['c'], scope: 'global', command: 'continue', exec: 'continue', description: 'Continue to the next breakpoint or the end (Esc / Ctrl-C stops)', tag: 'run', hint: 'cont', mutates: true },
  { keys: ['C'], scope: 'global', command: 'reverse-continue', exec: 'reverse-continue', description: 'Reverse-continue to the previous breakpoint hit or the start', tag: 'run', mutates: true },
  { keys: ['r'], scope: 'global', command: 'ui.run', description: 'Run from the start (event 0) to the first breakpoint, as :run; asks first', tag: 'run', mutates: true },
  { keys: ['b'], scope: 'global', command: 'ui.break-kind', description: "Break on the selected record's kind", tag: 'run', hint: 'break', mutates: true },
  { keys: ['esc', 'ctrl+c'], scope: 'global', command: 'ui.interrupt', description: 'Stop a running continue at the next event boundary; close a prompt or overlay', tag: 'run' },
  { keys: [':'], scope: 'global', command: 'ui.command-line', description: 'Command line (Tab completes, Up/Down history)', tag: 'view', hint: 'cmd' },
  { keys: ['/'], scope: 'global', command: 'ui.search', description: 'Search the timeline', tag: 'view', hint: 'search' },
  { keys: ['n'], scope: 'global', command: 'ui.search-next', description: 'Next search match', tag: 'view' },
  { keys: ['N'], scope: 'global', command: 'ui.search-prev', description: 'Previous search match', tag: 'view' },
  { keys: ['tab'], scope: 'global', command: 'ui.focus-next', description: 'Focus the next panel', tag: 'view', hint: 'focus' },
  { keys: ['shift+tab'], scope: 'global', command: 'ui.focus-prev', description: 'Focus the previous panel', tag: 'view' },
  { keys: ['enter', 'z'], scope: 'global', command: 'ui.zoom', description: 'Zoom the focused panel to full screen and back', tag: 'view', hint: 'zoom' },
  { keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9'], scope: 'global', command: 'ui.focus-n', description: 'Focus panel N (in Tab order)', tag: 'view' },
  { keys: ['?'], scope: 'global', command: 'ui.help', description: 'Help: every key', tag: 'view', hint: 'help' },
  { keys: ['q'], scope: 'global', command: 'ui.quit', description: 'Quit (asks first while a run is going)', tag: 'view', hint: 'quit' },
  { keys: ['up', 'k'], scope: 'navigation', command: 'nav.up', description: 'Move up', tag: 'navigation' },
  { keys: ['down', 'j'], scope: 'navigation', command: 'nav.down', description: 'Move down', tag: 'navigation' },
  { keys: ['left', 'h'], scope: 'navigation', command: 'nav.left', description: 'Move left / collapse', tag: 'navigation' },
  { keys: ['right', 'l'], scope: 'navigation', command: 'nav.right', description: 'Move right / expand', tag: 'navigation' },
  { keys: ['pageup', 'ctrl+u'], scope: 'navigation', command: 'nav.page-up', description: 'Page up', tag: 'navigation' },
  { keys: ['pagedown', 'ctrl+d'], scope: 'navigation', command: 'nav.page-down', description: 'Page down', tag: 'navigation' },
  { keys: ['home', '<', 'g g'], scope: 'navigation', command: 'nav.top', description: 'First row', tag: 'navigation' },
  { keys: ['end', '>', 'G'], scope: 'navigation', command: 'nav.bottom', description: 'Last row', tag: 'navigation' },
];

/**
 * The record view (Enter on a timeline record) takes these while it is open. To go to a
 * record: select it, Enter, g (or `:goto SEQ`).
 */
export const RECORD_BINDINGS: readonly Binding[] = [
  { keys: ['down', 'j'], scope: 'record', command: 'record.down', description: 'Scroll down', tag: 'navigation', shadows: true },
  { keys: ['up', 'k'], scope: 'record', command: 'record.up', description: 'Scroll up', tag: 'navigation', shadows: true },
  { keys: ['pagedown', 'ctrl+d', 'space'], scope: 'record', command: 'record.page-down', description: 'Page down', tag: 'navigation', shadows: true },
  { keys: ['pageup', 'ctrl+u'], scope: 'record', command: 'record.page-up', description: 'Page up', tag: 'navigation', shadows: true },
  { keys: ['right', 'l'], scope: 'record', command: 'record.next', description: "Next record (in the timeline's list, filter included)", tag: 'navigation', shadows: true, hint: 'next' },
  { keys: ['left', 'h'], scope: 'record', command: 'record.prev', description: 'Previous record', tag: 'navigation', shadows: true, hint: 'prev' },
  { keys: ['g'], scope: 'record', command: 'record.goto', description: 'Go to this record: the machine as it was right after it (runs `goto SEQ`)', tag: 'run', mutates: true, hint: 'goto it' },
  { keys: ['esc', 'enter', 'q'], scope: 'record', command: 'record.close', description: 'Back to the panels', tag: 'view', shadows: true, hint: 'back' },
];
