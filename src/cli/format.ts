/** The readable trace table of `dmadbg run`: the same rows the debugger prints. */
export { formatFields, formatRecordRow, formatTime } from '../debugger/format.ts';

export const TABLE_HEADER = `${'seq'.padStart(7)} ${'time'.padStart(12)}  ${'kind'.padEnd(18)} fields`;
