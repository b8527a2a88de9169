// Offset pagination applied in memory after filter and sort (docs/growthbook-api.md §5).

export interface PageFields {
  limit: number;
  offset: number;
  count: number;
  total: number;
  hasMore: boolean;
  nextOffset: number | null;
}

export function paginate<T>(
  items: readonly T[],
  query: { limit?: number | undefined; offset?: number | undefined },
): { page: T[]; fields: PageFields } {
  const limit = query.limit ?? 10;
  const offset = query.offset ?? 0;
  const page = items.slice(offset, offset + limit);
  const hasMore = offset + limit < items.length;
  return {
    page,
    fields: {
      limit,
      offset,
      count: page.length,
      total: items.length,
      hasMore,
      nextOffset: hasMore ? offset + limit : null,
    },
  };
}

/** Lists are sorted by id the way GrowthBook sorts members: `localeCompare` (§7). */
export const byId = (a: { id: string }, b: { id: string }): number => a.id.localeCompare(b.id);
