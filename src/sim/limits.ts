/**
 * What dmadbg accepts, in one table: `dmadbg info limits` prints it and docs/limits.md
 * explains it. Every row is enforced where it is named (the scenario checks refuse a
 * file that would pass a limit; a run that reaches one stops with a message saying which).
 * Plain constants, so every layer can read them.
 */
import { T_MAX } from './core/queue.ts';

const MiB = 1024 * 1024;

export const LIMITS = {
  /** Bytes of simulated memory a run may back with real pages (written, filled, copied; sparse stays free). */
  backedBytes: 512 * MiB,
  /** Bytes one device operation or CPU fill may move. */
  transferBytes: 64 * MiB,
  /** Bytes one DMA mapping may cover: it writes page-table entries (one record per 4 KiB), not data. */
  mapBytes: 4096 * MiB,
  /** Bytes of a SWIOTLB pool (the kernel's default is 64 MiB). */
  swiotlbBytes: 1024 * MiB,
  /** Events one run may take (`limits.maxEvents`, `--max-events`). */
  events: 1_000_000_000,
  /** Virtual time, ns: the event queue's key keeps time and priority in one exact double. */
  virtualTimeNs: T_MAX,
  /** Records a debugger session (TUI, --commands) keeps in memory for reverse execution (no workspace to spill to). */
  sessionRecords: 20_000_000,
  /** Records a debugger session records when they spill to its workspace (deflated, ~20 bytes each on disk). */
  spilledRecords: 2_000_000_000,
  /** Characters in one debugger command line. */
  commandChars: 4096,
  /** Bytes of a scenario file or a command file. */
  fileBytes: 16 * MiB,
  /** Nesting depth of a scenario's JSON. */
  jsonDepth: 64,
  /** Terminal size a TUI draws (a larger window is drawn at this size). */
  terminalCols: 500,
  terminalRows: 200,
} as const;

export interface LimitRow {
  readonly name: string;
  readonly value: string;
  readonly what: string;
  readonly whenReached: string;
}

const bytes = (n: number) => (n % (1024 * MiB) === 0 ? `${n / (1024 * MiB)} GiB` : n % MiB === 0 ? `${n / MiB} MiB` : `${n} B`);
/** 1,000,000: thousands separated as toLocaleString('en-US') does, without loading ICU (~20 ms at every start). */
const count = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** The table as `dmadbg info limits` prints it (docs/limits.md has the same rows). */
export const LIMIT_ROWS: readonly LimitRow[] = [
  { name: 'backed memory', value: bytes(LIMITS.backedBytes), what: 'simulated memory a run backs with real pages: buffers with a fill, written and copied ranges, page tables, the SWIOTLB slots written', whenReached: 'validate refuses a scenario whose fills and transfers need more; a run stops with a message' },
  { name: 'transfer size', value: bytes(LIMITS.transferBytes), what: 'bytes one device op, mm write or CPU fill may move', whenReached: 'validate refuses it, naming the JSON path' },
  { name: 'mapping size', value: bytes(LIMITS.mapBytes), what: 'bytes one DMA mapping may cover (page-table entries, not data)', whenReached: 'validate refuses it, naming the JSON path' },
  { name: 'SWIOTLB pool', value: bytes(LIMITS.swiotlbBytes), what: 'swiotlb.size', whenReached: 'validate refuses it' },
  { name: 'events per run', value: count(LIMITS.events), what: 'limits.maxEvents and --max-events', whenReached: 'validate / the option refuses a larger value' },
  { name: 'virtual time', value: `${count(LIMITS.virtualTimeNs)} ns (~${Math.floor(LIMITS.virtualTimeNs / 3.6e12)} h)`, what: 'the latest time any event may be scheduled at', whenReached: 'validate refuses start/period/repeat/at values that pass it; a run stops with a message' },
  { name: 'records per debugger session', value: `${count(LIMITS.spilledRecords)} (${count(LIMITS.sessionRecords)} without a workspace)`, what: 'records the TUI or a --commands run records for reverse execution, spilled to a file in the workspace (in memory when the workspace cannot be written); headless run streams and keeps none', whenReached: 'motion stops with a message; reverse motion still works' },
  { name: 'command length', value: `${count(LIMITS.commandChars)} characters`, what: 'one debugger command line (TUI, command files, over SSH)', whenReached: 'the command is refused with a one-line error' },
  { name: 'file size', value: bytes(LIMITS.fileBytes), what: 'a scenario file or a command file', whenReached: 'refused before it is parsed' },
  { name: 'JSON nesting', value: `${LIMITS.jsonDepth} levels`, what: 'arrays and objects inside each other in a scenario file', whenReached: 'refused, with the line and column' },
  { name: 'terminal size', value: `${LIMITS.terminalCols}x${LIMITS.terminalRows}`, what: 'columns x rows the TUI draws over SSH', whenReached: 'a larger window is drawn at this size' },
];

/**
 * A run reached a limit of the table (not a bug, not a mistake the validator could see):
 * the run stops and says which limit, where.
 */
export class SimLimitError extends Error {
  override name = 'SimLimitError';
}
