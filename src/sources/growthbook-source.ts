// GrowthBook as a source: every managed project and every member, read in parallel.
import type { Member } from '../core/plan.js';
import type { Source } from './source.js';

/** The GrowthBook reads the pipeline and `check` need. */
export interface GrowthBookReader {
  listMembers(filter?: { userEmail?: string }): Promise<Member[]>;
  getProject(id: string): Promise<{ id: string; name: string }>;
  info(): Promise<{ name: string; apiVersion: number }>;
  stats(): { requests: number };
}

export interface GrowthBookRead {
  /** Every managed project, as GrowthBook names it, in configuration order. */
  projects: { id: string; name: string }[];
  members: Member[];
}

export type GrowthBookSource = Source<{ projects: readonly string[] }, GrowthBookRead>;

export function growthbookSource(client: GrowthBookReader, url: string): GrowthBookSource {
  return {
    name: 'growthbook',
    target: url,
    async read({ projects }) {
      // Every managed project must exist: a mistyped id would plan against nothing. All reads are
      // awaited before a failure is reported, so no request outlives the read.
      const [found, members] = await Promise.all([
        Promise.allSettled(projects.map((id) => client.getProject(id))),
        Promise.allSettled([client.listMembers()]).then(([m]) => m as PromiseSettledResult<Member[]>),
      ]);
      const missing = found.flatMap((p, i) =>
        p.status === 'rejected' ? [{ id: projects[i], reason: p.reason as unknown }] : [],
      );
      if (missing.length === 1 && missing[0]) throw missing[0].reason;
      if (missing.length > 1) {
        throw new Error(
          missing
            .map((m) => `project ${m.id}: ${m.reason instanceof Error ? m.reason.message : String(m.reason)}`)
            .join('; '),
          { cause: missing[0]?.reason },
        );
      }
      if (members.status === 'rejected') throw members.reason;
      return {
        projects: found.map((p) => (p as PromiseFulfilledResult<{ id: string; name: string }>).value),
        members: members.value,
      };
    },
    // Each HTTP request is counted, with its status, by the client itself.
    async describe(found) {
      if (!found) return {};
      const info = await client.info();
      return {
        api: `${info.name} v${info.apiVersion}`,
        projects: found.projects.map((p) => `${p.id} (${p.name})`),
        members: found.members.length,
        requests: client.stats().requests,
      };
    },
  };
}
