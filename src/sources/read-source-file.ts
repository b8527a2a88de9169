// Reads a source file as UTF-8 text. The error names the file and says why in plain words; the
// errno error stays attached as the cause.
import { type SourceName, SourceReadError } from '../errors.js';
import { FileTooLargeError, readBoundedFile } from '../util/read-bounded-file.js';
import { decodeStrictUtf8 } from './decode-strict.js';

const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent of the path is not a directory',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined) return ERRNO_WORDS[code] ?? code;
  return error instanceof Error ? error.message : String(error);
}

/**
 * `what` names the file's role in messages, e.g. "data.yaml file" or "LDIF file". A file larger than
 * `maxBytes` (or one that never ends, like /dev/zero) is refused at the limit.
 */
export async function readSourceFile(
  source: SourceName,
  what: string,
  path: string,
  maxBytes: number,
): Promise<{ text: string; bytes: number }> {
  let bytes: Buffer;
  try {
    bytes = await readBoundedFile(path, maxBytes);
  } catch (error) {
    if (error instanceof FileTooLargeError) {
      throw new SourceReadError(source, `${what} ${path} is larger than the limit of ${error.limit} bytes`);
    }
    throw new SourceReadError(source, `cannot read ${what} ${path}: ${describeFsError(error)}`, {
      cause: error,
    });
  }
  const text = decodeStrictUtf8(bytes);
  if (text === null) throw new SourceReadError(source, `${what} ${path} is not valid UTF-8`);
  return { text, bytes: bytes.length };
}
