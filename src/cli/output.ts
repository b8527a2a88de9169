// Writing to stdout and stderr so that large documents arrive whole before the process exits.
import { OutputError } from '../errors.js';

export type OutputFormat = 'human' | 'json';

const errnoOf = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code;

// A failed write is reported through its callback (below); the stream's 'error' event must not
// also end the process. A reader that goes away (`plan | head`) is not the run's failure at all.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

export function writeStream(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error && errnoOf(error) !== 'EPIPE' ? reject(error) : resolve()));
  });
}

/** Rejects with OutputError (exit 5) when stdout cannot take the text, e.g. a full device. */
export async function writeStdout(text: string): Promise<void> {
  try {
    await writeStream(process.stdout, text);
  } catch (error) {
    throw new OutputError(`could not write the report to stdout (${errnoOf(error) ?? String(error)})`);
  }
}

/** Never rejects: when stderr itself cannot be written, there is nowhere left to say so. */
export async function writeStderr(text: string): Promise<void> {
  await writeStream(process.stderr, text).catch(() => {});
}

export function defaultFormat(): OutputFormat {
  return process.stdout.isTTY ? 'human' : 'json';
}

/** ANSI styling only for a terminal that wants it (https://no-color.org). */
export function styler(enabled: boolean) {
  const wrap = (code: string) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text);
  return {
    bold: wrap('1'),
    dim: wrap('2'),
    red: wrap('31'),
    green: wrap('32'),
    yellow: wrap('33'),
    cyan: wrap('36'),
  };
}

export const useColor = (stream: NodeJS.WriteStream) => Boolean(stream.isTTY) && !('NO_COLOR' in process.env);
