// YAML text → a small node tree that remembers where each node is written, in time linear in the
// file and without recursion: js-yaml's event parser gives a flat event list (its nesting depth is
// capped), and one loop with an explicit stack builds the tree. Duplicate keys are found with one
// Map per mapping; aliases point at their anchored node (never copied), and a budget on what they
// would expand to refuses alias bombs before anything walks them.
import {
  boolCoreTag,
  EVENT_ID,
  type Event,
  floatCoreTag,
  getScalarValue,
  intCoreTag,
  NOT_RESOLVED,
  nullCoreTag,
  parseEvents,
  SCALAR_STYLE,
  YAMLException,
} from 'js-yaml';
import { SourceReadError } from '../../errors.js';

export type ScalarValue = string | number | boolean | null;
export interface YamlScalar {
  kind: 'scalar';
  offset: number;
  value: ScalarValue;
}
export interface YamlSeq {
  kind: 'seq';
  offset: number;
  items: YamlNode[];
}
export interface YamlPair {
  key: YamlNode;
  value: YamlNode;
}
export interface YamlMap {
  kind: 'map';
  offset: number;
  pairs: YamlPair[];
  /** Pairs by string key (each key is unique, checked while composing). */
  byName: Map<string, YamlPair>;
}
export interface YamlAlias {
  kind: 'alias';
  offset: number;
  name: string;
  /** The anchored node; it may still be open (an alias inside its own anchor: a cycle). */
  target: YamlNode;
}
export type YamlNode = YamlScalar | YamlSeq | YamlMap | YamlAlias;

export interface ComposeLimits {
  /** Collections nested deeper than this are an error (each level is a stack frame in the parser). */
  maxDepth: number;
  /** Aliases may expand to at most this many nodes beyond the document's own (bomb guard). */
  aliasBudget: (documentNodes: number) => number;
}

const DEFAULT_LIMITS: ComposeLimits = {
  maxDepth: 64,
  // Ten copies of the whole document, and a floor for small files. An alias bomb (ten lists of ten
  // aliases of each other) expands to billions within a few lines.
  aliasBudget: (nodes) => 10 * nodes + 1_000_000,
};

// The core schema's implicit types, in the order YAML 1.2 resolves a plain scalar.
const IMPLICIT = [nullCoreTag, boolCoreTag, intCoreTag, floatCoreTag];

// A plain scalar starting with a letter other than n, t or f (null, true, false) is a string: no
// core-schema null, boolean, integer or float starts that way. Most of data.yaml's scalars do.
const SURELY_STRING = /^[a-eg-mo-su-zA-EG-MO-SU-Z]/;

function resolvePlain(text: string): ScalarValue {
  if (SURELY_STRING.test(text)) return text;
  for (const tag of IMPLICIT) {
    const value = tag.resolve(text, false, tag.tagName);
    if (value !== NOT_RESOLVED) return value as ScalarValue;
  }
  return text;
}

const CLOSING_BRACKET_LINE = /^([ \t]*)(?=[\]}])/gm;

/**
 * YAML 1.2 wants every line of a flow collection indented past its key, but PyYAML, Ruby's Psych
 * and the yaml package accept a closing bracket at the key's own indentation, and Puppet's
 * data.yaml has such lines (`members: [a,\n  b\n  ]` under a key indented as deep as the `]`).
 * When the strict parse fails on exactly that, every line that starts with a closing bracket gets
 * one more space: whitespace before a flow indicator means nothing, so the document is the same,
 * unless a block scalar (`|`, `>`) holds such a line, whose text would change: then the original
 * error stands. Offsets in the events refer to the returned text.
 */
function parseEventsLeniently(text: string, maxDepth: number): { events: Event[]; text: string } {
  try {
    return { events: parseEvents(text, { maxDepth }), text };
  } catch (error) {
    const position = error instanceof YAMLException ? error.mark?.position : undefined;
    const atBracket = position !== undefined && (text[position] === ']' || text[position] === '}');
    if (!atBracket || (error as YAMLException).reason !== 'deficient indentation') throw error;
    const patched = text.replace(CLOSING_BRACKET_LINE, '$1 ');
    const events = parseEvents(patched, { maxDepth });
    const shifted: number[] = [];
    for (const match of patched.matchAll(CLOSING_BRACKET_LINE)) shifted.push(match.index);
    for (const event of events) {
      if (event.type !== EVENT_ID.SCALAR) continue;
      if (event.style !== SCALAR_STYLE.LITERAL_BLOCK && event.style !== SCALAR_STYLE.FOLDED_BLOCK) continue;
      const next = shifted[firstAtOrAfter(shifted, event.valueStart)];
      if (next !== undefined && next < event.valueEnd) throw error;
    }
    return { events, text: patched };
  }
}

/** Index of the first sorted value ≥ `at` (the length when there is none). */
function firstAtOrAfter(sorted: readonly number[], at: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Offsets → 1-based line and column; the line index is built once, when first needed. */
export function createLocator(text: string): (offset: number) => { line: number; col: number } {
  let starts: number[] | undefined;
  return (offset) => {
    if (starts === undefined) {
      starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - (starts[lo] as number) + 1 };
  };
}

interface Frame {
  node: YamlSeq | YamlMap;
  /** Key of this collection in its parent mapping, for messages. */
  label: string;
  /** Mapping: the pair waiting for its value. */
  pending: YamlPair | undefined;
  /** Mapping: keys that are not strings (numbers, booleans, null), for the duplicate check. */
  others: Map<string, YamlNode> | undefined;
  /** Size with aliases expanded, when the node is anchored. */
  size: number;
  anchored: boolean;
}

/** Stands for a value not read yet. */
const PENDING: YamlScalar = { kind: 'scalar', offset: -1, value: null };

/**
 * The document's root node, or null for an empty document. Throws SourceReadError naming
 * `origin`, the line and column for a syntax error, a second document, a duplicate key (both
 * places), an unknown alias, an explicit tag, nesting past `maxDepth` or an alias bomb.
 */
export function composeYaml(
  source: string,
  origin: string,
  limits: ComposeLimits = DEFAULT_LIMITS,
): YamlNode | null {
  let text = source;
  let locate = createLocator(text);
  const at = (offset: number) => {
    const { line, col } = locate(offset);
    return `${origin}:${line}:${col}`;
  };
  const fail = (offset: number, detail: string): never => {
    throw new SourceReadError('posix', `${at(offset)}: ${detail}`);
  };

  let events: Event[];
  try {
    ({ events, text } = parseEventsLeniently(source, limits.maxDepth));
    if (text !== source) locate = createLocator(text);
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    const where = error.mark ? `:${error.mark.line + 1}:${error.mark.column + 1}` : '';
    throw new SourceReadError('posix', `${origin}${where}: YAML syntax error: ${error.reason}`, {
      cause: error,
    });
  }

  const anchors = new Map<string, YamlNode>();
  /** Each anchored node's size with its aliases expanded, once it is closed. */
  const sizes = new Map<YamlNode, number>();
  const stack: Frame[] = [];
  let root: YamlNode | null = null;
  let documents = 0;
  let nodes = 0;
  let expanded = 0;
  let budget = Number.POSITIVE_INFINITY;

  const pathOf = (): string =>
    stack
      .map((f) => f.label)
      .filter((l) => l !== '')
      .join('.');

  const duplicate = (first: YamlNode, again: YamlScalar): never => {
    const name = [pathOf(), String(again.value)].filter((p) => p !== '').join('.');
    return fail(
      again.offset,
      `YAML syntax error: Map keys must be unique: ${name} is on line ${locate(first.offset).line} and again here`,
    );
  };
  const add = (node: YamlNode, size: number): void => {
    const parent = stack.at(-1);
    if (parent === undefined) {
      root = node;
      return;
    }
    parent.size += size;
    const collection = parent.node;
    if (collection.kind === 'seq') {
      collection.items.push(node);
      return;
    }
    const pending = parent.pending;
    if (pending !== undefined) {
      pending.value = node;
      parent.pending = undefined;
      return;
    }
    const pair: YamlPair = { key: node, value: PENDING };
    collection.pairs.push(pair);
    parent.pending = pair;
    if (node.kind !== 'scalar') return;
    if (typeof node.value === 'string') {
      const first = collection.byName.get(node.value);
      if (first !== undefined) duplicate(first.key, node);
      collection.byName.set(node.value, pair);
    } else {
      parent.others ??= new Map();
      const identity = `${typeof node.value}:${String(node.value)}`;
      const first = parent.others.get(identity);
      if (first !== undefined) duplicate(first, node);
      parent.others.set(identity, node);
    }
  };

  const anchorOf = (event: { anchorStart: number; anchorEnd: number }, node: YamlNode): boolean => {
    if (event.anchorStart < 0) return false;
    anchors.set(text.slice(event.anchorStart, event.anchorEnd), node);
    return true;
  };
  const refuseTag = (event: { tagStart: number; tagEnd: number }, offset: number) => {
    if (event.tagStart >= 0) {
      fail(offset, `YAML tag ${text.slice(event.tagStart, event.tagEnd)} is not supported in data.yaml`);
    }
  };
  const labelFor = (): string => {
    const parent = stack.at(-1);
    const key = parent?.pending?.key;
    return key?.kind === 'scalar' ? String(key.value) : '';
  };

  // An alias bomb is refused on the way; the budget needs the document's size, so count first.
  for (const event of events) if (event.type !== EVENT_ID.POP && event.type !== EVENT_ID.DOCUMENT) nodes++;
  budget = limits.aliasBudget(nodes);

  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT: {
        documents++;
        if (documents > 1) {
          // Document events carry no offset: name the line of the separator that starts it.
          const next = events.find((e, i) => i > events.indexOf(event) && 'start' in e) as
            | { start: number }
            | undefined;
          const before = next ? next.start : text.length;
          const separator = text.lastIndexOf('\n---', before);
          fail(
            separator >= 0 ? separator + 1 : before,
            'YAML syntax error: a second document; data.yaml has one',
          );
        }
        break;
      }
      case EVENT_ID.SCALAR: {
        refuseTag(event, event.valueStart);
        const raw = getScalarValue(text, event);
        const value = event.style === SCALAR_STYLE.PLAIN ? resolvePlain(raw) : raw;
        const node: YamlScalar = { kind: 'scalar', offset: event.valueStart, value };
        if (anchorOf(event, node)) sizes.set(node, 1);
        add(node, 1);
        break;
      }
      case EVENT_ID.SEQUENCE:
      case EVENT_ID.MAPPING: {
        refuseTag(event, event.start);
        const node: YamlSeq | YamlMap =
          event.type === EVENT_ID.SEQUENCE
            ? { kind: 'seq', offset: event.start, items: [] }
            : { kind: 'map', offset: event.start, pairs: [], byName: new Map() };
        const anchored = anchorOf(event, node);
        stack.push({ node, label: labelFor(), pending: undefined, others: undefined, size: 1, anchored });
        break;
      }
      case EVENT_ID.ALIAS: {
        const name = text.slice(event.anchorStart, event.anchorEnd);
        const offset = event.anchorStart - 1;
        const target = anchors.get(name);
        if (target === undefined) return fail(offset, `alias *${name} has no anchor before it`);
        // A target still open is a cycle: it costs nothing here, and whoever walks it must stop.
        const size = sizes.get(target) ?? 1;
        expanded += size;
        if (expanded > budget) {
          fail(
            offset,
            `YAML aliases rejected: Excessive alias count: the aliases expand to more than ${budget} nodes`,
          );
        }
        const node: YamlAlias = { kind: 'alias', offset, name, target };
        add(node, size);
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop();
        if (frame === undefined) break; // the end of a document
        if (frame.anchored) sizes.set(frame.node, frame.size);
        add(frame.node, frame.size);
        break;
      }
    }
  }
  return root;
}
