// Reads a whole offset-paginated list, buffering every page before returning anything. Each page
// must agree with what was asked and with the pages before it; a list that changes under the reader
// (a member joining mid-traversal) is read once more from the start, replacing what was read. A
// second inconsistency is a PaginationError: the run must not plan from a partial list.
import { PaginationError } from './errors.js';
import type { PaginationFields } from './schemas.js';

export const PAGE_LIMIT = 100;

export interface Page<T> extends PaginationFields {
  items: T[];
}

export interface PaginateOptions<T> {
  method: string;
  /** The list's path without its query, for messages. */
  path: string;
  fetchPage: (offset: number, limit: number) => Promise<Page<T>>;
  idOf: (item: T) => string;
  limit?: number;
}

class Inconsistent extends Error {}

export async function readAllPages<T>(o: PaginateOptions<T>): Promise<T[]> {
  let first: string;
  try {
    return await traverse(o);
  } catch (error) {
    if (!(error instanceof Inconsistent)) throw error;
    first = error.message;
  }
  try {
    return await traverse(o);
  } catch (error) {
    if (!(error instanceof Inconsistent)) throw error;
    throw new PaginationError(o.method, o.path, `${error.message} (first traversal: ${first})`);
  }
}

async function traverse<T>(o: PaginateOptions<T>): Promise<T[]> {
  const limit = o.limit ?? PAGE_LIMIT;
  const items: T[] = [];
  const seen = new Set<string>();
  let total: number | undefined;
  let offset = 0;
  for (;;) {
    const page = await o.fetchPage(offset, limit);
    const at = `page at offset ${offset}`;
    const held = page.items.length;
    if (page.offset !== offset) fail(`${at} reported offset ${page.offset}`);
    if (page.limit !== limit) fail(`${at} reported limit ${page.limit}, asked for ${limit}`);
    if (page.count !== held) fail(`${at} reported count ${page.count} but held ${held} items`);
    total ??= page.total;
    if (page.total !== total) fail(`${at} reported total ${page.total}, the first page ${total}`);
    const expected = Math.max(0, Math.min(limit, total - offset));
    if (held !== expected) fail(`${at} held ${held} items where total ${total} implies ${expected}`);
    const hasMore = offset + limit < total;
    const nextOffset = hasMore ? offset + limit : null;
    if (page.hasMore !== hasMore) fail(`${at} reported hasMore ${page.hasMore} with total ${total}`);
    if (page.nextOffset !== nextOffset)
      fail(`${at} reported nextOffset ${page.nextOffset}, expected ${nextOffset}`);
    for (const item of page.items) {
      const id = o.idOf(item);
      if (seen.has(id)) fail(`${at} repeated id ${id}`);
      seen.add(id);
      items.push(item);
    }
    if (nextOffset === null) break;
    offset = nextOffset;
  }
  if (items.length !== total) fail(`read ${items.length} items, total ${total}`);
  return items;
}

function fail(detail: string): never {
  throw new Inconsistent(detail);
}
