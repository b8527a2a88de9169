// One line of progress on a terminal for the long phases: GrowthBook member pages, LDAP batches,
// writes with the pacing wait. Only when stderr is a terminal, the output is for people and the log
// level is not debug; the line is redrawn in place and cleared before any log line or the report.
// NO_COLOR (https://no-color.org) drops the styling; the line is then cleared with spaces.
import { writeSync } from 'node:fs';

export interface Progress {
  /** Shows `phase: detail` in place of the previous line. */
  update(phase: string, detail: string): void;
  /** Adds a wait to the current line, e.g. the pacing before the next write. */
  waiting(ms: number, why: string): void;
  /** Removes the line (before a log line or the report); the next update draws it again. */
  clear(): void;
}

export const NO_PROGRESS: Progress = { update() {}, waiting() {}, clear() {} };

export interface ProgressTarget {
  write(text: string): void;
  columns?: number;
}

export function createProgress(target: ProgressTarget, options: { color: boolean }): Progress {
  let line = '';
  let shown = 0; // characters on screen
  const draw = (text: string) => {
    // A pseudo-terminal may report no size (0 columns): assume the classic 80 then.
    const width = Math.max(20, (target.columns || 80) - 1);
    const visible = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    if (options.color) {
      target.write(`\r\u001b[2K\u001b[2m${visible}\u001b[0m`);
    } else {
      target.write(`\r${visible}${' '.repeat(Math.max(0, shown - visible.length))}\r${visible}`);
    }
    shown = visible.length;
  };
  return {
    update(phase, detail) {
      line = `${phase}: ${detail}`;
      draw(line);
    },
    waiting(ms, why) {
      if (line === '' || ms < 100) return;
      draw(`${line} · next in ${(ms / 1000).toFixed(1)} s (${why})`);
    },
    clear() {
      if (shown === 0) return;
      target.write(options.color ? '\r\u001b[2K' : `\r${' '.repeat(shown)}\r`);
      shown = 0;
    },
  };
}

/** The progress line on standard error (written synchronously, like the log lines around it). */
export function stderrProgress(color: boolean): Progress {
  return createProgress(
    {
      write: (text) => {
        writeSync(2, text);
      },
      columns: process.stderr.columns,
    },
    { color },
  );
}
