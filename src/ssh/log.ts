/**
 * One line per event on stderr: `dmadbg serve: <event> key=value ...`. The sink is
 * injectable so tests can read the log without touching the process's stderr.
 */
export type LogSink = (line: string) => void;

export interface Logger {
  (event: string, fields?: Record<string, string | number | boolean | undefined>): void;
}

const quote = (v: string) => (/[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v);

const stderrSink: LogSink = (l) => {
  if (!process.stderr.destroyed && process.stderr.writable) process.stderr.write(l + '\n');
};

export function createLogger(sink: LogSink = stderrSink): Logger {
  return (event, fields = {}) => {
    const parts = [`dmadbg serve: ${event}`];
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) parts.push(`${k}=${quote(String(v))}`);
    try {
      sink(parts.join(' ').replace(/[\r\n]+/g, ' '));
    } catch {
      /* a broken log sink must not take the server down */
    }
  };
}

export const silentLogger: Logger = () => {};
