// Puppet's modules/admin/data/data.yaml → POSIX group memberships. Walks the YAML node tree rather
// than plain JS so that every structural error can name its line; anything unexpected is an error.
import {
  type Alias,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
  type YAMLMap,
} from 'yaml';
import type { PosixGroups } from '../../core/model.js';
import { SourceReadError } from '../../errors.js';

// Room for the real file (20 anchors, 46 alias uses, nesting 3 deep) with a wide margin; an alias
// bomb multiplies past it within a few levels.
const MAX_ALIAS_COUNT = 10_000;

type Located = { range?: [number, number, number] | null };

export function parseDataYaml(text: string, origin: string): PosixGroups {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });

  const fail = (detail: string, node?: unknown): never => {
    const offset = (node as Located | null | undefined)?.range?.[0];
    let at = '';
    if (offset !== undefined) {
      const { line, col } = lineCounter.linePos(offset);
      at = `:${line}:${col}`;
    }
    throw new SourceReadError('posix', `${origin}${at}: ${detail}`);
  };

  const [firstError] = doc.errors;
  if (firstError) {
    const { line, col } = lineCounter.linePos(firstError.pos[0]);
    const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more)` : '';
    throw new SourceReadError(
      'posix',
      `${origin}:${line}:${col}: YAML syntax error: ${firstError.message}${more}`,
    );
  }
  // An alias means the last anchor of that name before it (YAML 1.2); resolve them all in one pass.
  const aliasTargets = new Map<Alias, Node>();
  const anchors = new Map<string, Node>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target === undefined) fail(`alias *${node.source} has no anchor before it`, node);
        else aliasTargets.set(node, target);
      } else if (isNode(node) && node.anchor) {
        anchors.set(node.anchor, node);
      }
    },
  });
  // Converting once with an alias budget rejects alias bombs up front (yaml's own guard); the walk
  // below visits each list once per group, so it stays linear whatever the aliases do.
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new SourceReadError('posix', `${origin}: YAML aliases rejected: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const deref = (node: unknown): unknown => (isAlias(node) ? aliasTargets.get(node) : node);
  const describe = (node: unknown): string => {
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    if (isScalar(node)) return JSON.stringify(node.value) ?? String(node.value);
    return 'nothing';
  };
  const entries = (node: YAMLMap, path: string): Array<[string, unknown, unknown]> =>
    node.items.map((pair) => {
      const key = pair.key;
      if (!isScalar(key) || typeof key.value !== 'string') {
        return fail(`${path} has a key that is not a name: ${describe(key)}`, key);
      }
      return [key.value, deref(pair.value), key];
    });

  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    return fail('data.yaml is empty');
  }
  if (!isMap(root))
    return fail(`the top level must be a mapping with groups: and users:, found ${describe(root)}`, root);

  const groupsNode = deref(root.get('groups', true));
  if (groupsNode === undefined) return fail('groups: is missing');
  if (!isMap(groupsNode)) return fail(`groups must be a mapping, found ${describe(groupsNode)}`, groupsNode);
  const usersNode = deref(root.get('users', true));
  if (usersNode === undefined) return fail('users: is missing, so absent users cannot be told apart');
  if (!isMap(usersNode)) return fail(`users must be a mapping, found ${describe(usersNode)}`, usersNode);

  const absent = new Set<string>();
  for (const [uid, user, key] of entries(usersNode, 'users')) {
    if (!isMap(user)) return fail(`users.${uid} must be a mapping, found ${describe(user)}`, user ?? key);
    const ensure = deref(user.get('ensure', true));
    if (!isScalar(ensure) || (ensure.value !== 'present' && ensure.value !== 'absent')) {
      return fail(`users.${uid}.ensure must be present or absent, found ${describe(ensure)}`, ensure ?? key);
    }
    if (ensure.value === 'absent') absent.add(uid);
  }

  // Null prototype: a group called "constructor" or "__proto__" stays an ordinary key.
  const groups: Record<string, string[]> = Object.create(null);
  for (const [name, group, key] of entries(groupsNode, 'groups')) {
    if (!isMap(group))
      return fail(`groups.${name} must be a mapping, found ${describe(group)}`, group ?? key);
    const members = deref(group.get('members', true));
    if (members === undefined) {
      groups[name] = [];
      continue;
    }
    if (!isSeq(members)) {
      return fail(`groups.${name}.members must be a list, found ${describe(members)}`, members);
    }
    groups[name] = flattenMembers(members, name).filter((uid) => !absent.has(uid));
  }
  return { groups };

  // Aliases nest lists (deployment: [*a, *b, name, …]). Each list node is visited once per group, so
  // repeated aliases cost nothing and a list that contains itself is caught.
  function flattenMembers(list: unknown, name: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const done = new Set<unknown>();
    const openSet = new Set<unknown>();
    const visit = (item: unknown): void => {
      const node = deref(item);
      if (isSeq(node)) {
        if (openSet.has(node)) fail(`groups.${name}.members contains itself through an alias`, item);
        if (done.has(node)) return;
        openSet.add(node);
        for (const child of node.items) visit(child);
        openSet.delete(node);
        done.add(node);
      } else if (isScalar(node) && typeof node.value === 'string') {
        if (!seen.has(node.value)) {
          seen.add(node.value);
          out.push(node.value);
        }
      } else {
        fail(`groups.${name}.members has a member that is not a user name: ${describe(node)}`, node ?? item);
      }
    };
    visit(list);
    return out;
  }
}

/** Every POSIX group the policy names must exist: a missing gate or qualifier is a source error. */
export function requirePosixGroups(groups: PosixGroups, names: string[], origin: string): void {
  const missing = [...new Set(names)].filter((name) => !Object.hasOwn(groups.groups, name));
  if (missing.length > 0) {
    const list = missing.map((name) => `"${name}"`).join(', ');
    throw new SourceReadError(
      'posix',
      `${origin}: data.yaml has no group${missing.length > 1 ? 's' : ''} ${list}, which the policy names`,
    );
  }
}
