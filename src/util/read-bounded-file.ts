// Reads a whole file, but never more than a limit: a configuration or source path pointing at
// /dev/zero, a FIFO that never ends or a runaway export must fail at the limit, not exhaust memory.
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** Thrown when the file holds more than `limit` bytes; callers turn it into their own error. */
export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
  constructor(readonly limit: number) {
    super(`larger than the limit of ${limit} bytes`);
  }
}

const CHUNK = 64 * 1024;

export function readBoundedFileSync(path: string, limit: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, limit + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return Buffer.concat(chunks, total);
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) throw new FileTooLargeError(limit);
    }
  } finally {
    closeSync(fd);
  }
}

export async function readBoundedFile(path: string, limit: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, limit + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) return Buffer.concat(chunks, total);
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit) throw new FileTooLargeError(limit);
    }
  } finally {
    await handle.close();
  }
}
