// Puppet's modules/admin/data/data.yaml → POSIX group memberships. Reads the composed node tree
// (which keeps each node's place in the file) so that every structural error can name its line;
// anything unexpected is an error. Linear in the file, with no recursion: a large or deeply nested
// file costs time in proportion to its size and cannot overflow the stack.
import type { PosixGroups } from '../../core/model.js';
import { SourceReadError } from '../../errors.js';
import { composeYaml, createLocator, type YamlMap, type YamlNode, type YamlSeq } from './compose-yaml.js';

export function parseDataYaml(text: string, origin: string): PosixGroups {
  const root = composeYaml(text, origin);
  const locate = createLocator(text);
  const fail = (detail: string, node?: YamlNode): never => {
    let at = '';
    if (node !== undefined) {
      const { line, col } = locate(node.offset);
      at = `:${line}:${col}`;
    }
    throw new SourceReadError('posix', `${origin}${at}: ${detail}`);
  };
  const deref = (node: YamlNode | undefined): YamlNode | undefined =>
    node?.kind === 'alias' ? node.target : node;
  const describe = (node: YamlNode | undefined): string => {
    if (node?.kind === 'map') return 'a mapping';
    if (node?.kind === 'seq') return 'a list';
    if (node?.kind === 'scalar') return JSON.stringify(node.value) ?? String(node.value);
    return 'nothing';
  };
  const entries = (node: YamlMap, path: string): Array<[string, YamlNode | undefined, YamlNode]> =>
    node.pairs.map(({ key, value }) => {
      if (key.kind !== 'scalar' || typeof key.value !== 'string') {
        return fail(`${path} has a key that is not a name: ${describe(deref(key))}`, key);
      }
      return [key.value, deref(value), key];
    });

  if (root === null || (root.kind === 'scalar' && (root.value === null || root.value === ''))) {
    return fail('data.yaml is empty');
  }
  if (root.kind !== 'map') {
    return fail(`the top level must be a mapping with groups: and users:, found ${describe(root)}`, root);
  }

  const groupsNode = deref(root.byName.get('groups')?.value);
  if (groupsNode === undefined) return fail('groups: is missing');
  if (groupsNode.kind !== 'map')
    return fail(`groups must be a mapping, found ${describe(groupsNode)}`, groupsNode);
  const usersNode = deref(root.byName.get('users')?.value);
  if (usersNode === undefined) return fail('users: is missing, so absent users cannot be told apart');
  if (usersNode.kind !== 'map')
    return fail(`users must be a mapping, found ${describe(usersNode)}`, usersNode);

  const absent = new Set<string>();
  for (const [uid, user, key] of entries(usersNode, 'users')) {
    if (user?.kind !== 'map')
      return fail(`users.${uid} must be a mapping, found ${describe(user)}`, user ?? key);
    const ensure = deref(user.byName.get('ensure')?.value);
    if (ensure?.kind !== 'scalar' || (ensure.value !== 'present' && ensure.value !== 'absent')) {
      return fail(`users.${uid}.ensure must be present or absent, found ${describe(ensure)}`, ensure ?? key);
    }
    if (ensure.value === 'absent') absent.add(uid);
  }

  // Null prototype: a group called "constructor" or "__proto__" stays an ordinary key.
  const groups: Record<string, string[]> = Object.create(null);
  for (const [name, group, key] of entries(groupsNode, 'groups')) {
    if (group?.kind !== 'map')
      return fail(`groups.${name} must be a mapping, found ${describe(group)}`, group ?? key);
    const members = deref(group.byName.get('members')?.value);
    if (members === undefined) {
      groups[name] = [];
      continue;
    }
    if (members.kind !== 'seq') {
      return fail(`groups.${name}.members must be a list, found ${describe(members)}`, members);
    }
    groups[name] = flattenMembers(members, name).filter((uid) => !absent.has(uid));
  }
  return { groups };

  // Aliases nest lists (deployment: [*a, *b, name, …]), as deep as the anchors chain. An explicit
  // stack walks them; each list is entered once per group, so repeated aliases cost nothing and a
  // list that contains itself is caught.
  function flattenMembers(list: YamlSeq, name: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const done = new Set<YamlSeq>();
    const openSet = new Set<YamlSeq>([list]);
    const stack: Array<{ seq: YamlSeq; next: number }> = [{ seq: list, next: 0 }];
    for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
      const item = top.seq.items[top.next++];
      if (item === undefined) {
        stack.pop();
        openSet.delete(top.seq);
        done.add(top.seq);
        continue;
      }
      const node = deref(item) as YamlNode;
      if (node.kind === 'seq') {
        if (openSet.has(node)) fail(`groups.${name}.members contains itself through an alias`, item);
        if (done.has(node)) continue;
        openSet.add(node);
        stack.push({ seq: node, next: 0 });
      } else if (node.kind === 'scalar' && typeof node.value === 'string') {
        if (!seen.has(node.value)) {
          seen.add(node.value);
          out.push(node.value);
        }
      } else {
        fail(`groups.${name}.members has a member that is not a user name: ${describe(node)}`, node);
      }
    }
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
