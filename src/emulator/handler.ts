// What a route handler receives: the request, validated, and the organization it acts on.
import type { OrgState, StoredMember } from './state.js';
import type { SeedApiKey } from './types.js';

export interface HandlerContext {
  state: OrgState;
  key: SeedApiKey;
  params: Record<string, string>;
  query: unknown;
  body: unknown;
  /** Writes the whole members array back, after any test hook (§8 step 10). */
  writeMembers(members: StoredMember[]): Promise<void>;
}

export type Handler = (ctx: HandlerContext) => unknown;
