// The logger of this process's run, once the configuration has been read and it exists. Errors that
// end the process are reported through it (a JSON or ECS line with the run id); before it exists, a
// plain message on stderr is all there is.
import { messageOf } from '../util/message-of.js';
import type { Logger } from './logger.js';

let current: Logger | undefined;

export function setRunLogger(logger: Logger): void {
  current = logger;
}

/** Reports what ends the run: through the run's logger when there is one, else as plain text. */
export async function reportFatal(
  error: unknown,
  { note = '', internal = false }: { note?: string; internal?: boolean } = {},
): Promise<void> {
  const message = `${messageOf(error)}${note}`;
  if (current) {
    // The stack only for an internal error: the other failure classes say all there is in words.
    current.error(
      { ...(error instanceof Error ? { error_type: error.name } : {}), ...(internal ? { err: error } : {}) },
      message,
    );
    return;
  }
  const stack = internal && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  // Written whole before the process exits.
  await new Promise<void>((resolve) => {
    process.stderr.write(`growthbook-ldap-sync: ${message}${stack}\n`, () => resolve());
  });
}
