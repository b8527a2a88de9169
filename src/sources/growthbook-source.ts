// GrowthBook as a source: the managed project and every member, read in parallel.
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
  project: { id: string; name: string };
  members: Member[];
}

export type GrowthBookSource = Source<{ project: string }, GrowthBookRead>;

export function growthbookSource(client: GrowthBookReader, url: string): GrowthBookSource {
  return {
    name: 'growthbook',
    target: url,
    async read({ project }) {
      // Both are awaited before a failure is reported, so no request outlives the read.
      const [p, members] = await Promise.allSettled([client.getProject(project), client.listMembers()]);
      if (p.status === 'rejected') throw p.reason;
      if (members.status === 'rejected') throw members.reason;
      return { project: p.value, members: members.value };
    },
    // Each HTTP request is counted, with its status, by the client itself.
    async describe(found) {
      if (!found) return {};
      const info = await client.info();
      return {
        api: `${info.name} v${info.apiVersion}`,
        project: `${found.project.id} (${found.project.name})`,
        members: found.members.length,
        requests: client.stats().requests,
      };
    },
  };
}
