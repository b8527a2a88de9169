// Writing to stdout and stderr so that large documents arrive whole before the process exits.
export type OutputFormat = 'human' | 'json';

const isClosedPipe = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';

// A reader that goes away (`plan | head`) is not the run's failure: the run's own exit code stands.
process.stdout.on('error', (error) => {
  if (!isClosedPipe(error)) throw error;
});

export function writeStream(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error && !isClosedPipe(error) ? reject(error) : resolve()));
  });
}

export const writeStdout = (text: string) => writeStream(process.stdout, text);
export const writeStderr = (text: string) => writeStream(process.stderr, text);

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
