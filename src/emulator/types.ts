// Public types of the GrowthBook emulator: its seed, options, test hooks, request log and handle.
// Field names follow the API (docs/growthbook-api.md §7, §8, §11), not our core model.

/** An API key and the role it carries (§2). Only `admin` has manageTeam. */
export interface SeedApiKey {
  key: string;
  role: 'admin' | 'readonly';
}

/** An extra role granted beside a rule, in the same scope (§7 `additionalRoles`, HEAD only). */
export interface SeedExtraRole {
  role: string;
  environments: string[];
  /** Defaults to `environments.length > 0`. */
  limitAccessByEnvironment?: boolean;
}

export interface SeedProjectRole {
  project: string;
  role: string;
  /** Defaults to `[]`. */
  environments?: string[];
  /** Defaults to `environments.length > 0`; set it to seed inconsistent saved data. */
  limitAccessByEnvironment?: boolean;
  additionalRoles?: SeedExtraRole[];
}

/** A member as it would be stored in `org.members`, joined with its user document (§7). */
export interface SeedMember {
  id: string;
  email: string;
  name?: string;
  globalRole: string;
  /** Global environment limit; defaults to `[]`. */
  environments?: string[];
  /** Defaults to `environments.length > 0`. */
  limitAccessByEnvironment?: boolean;
  /** Omitted from responses when absent, as for old saved members (§7). */
  projectRoles?: SeedProjectRole[];
  additionalRoles?: SeedExtraRole[];
  /** SCIM-managed (§10); spelled as listMembers spells it. */
  managedbyIdp?: boolean;
  teams?: string[];
  dateCreated?: string;
  lastLoginDate?: string;
  /** The member has no user document: listMembers drops it, updates still find it (§7). */
  noUserDocument?: boolean;
}

export interface SeedProject {
  id: string;
  name: string;
  description?: string;
  publicId?: string;
  dateCreated?: string;
  dateUpdated?: string;
  settings?: { statsEngine?: string; confidenceLevel?: number; pValueThreshold?: number };
}

export interface SeedEnvironment {
  id: string;
  description?: string;
  projects?: string[];
  defaultState?: boolean;
  toggleOnList?: boolean;
}

/** A custom role (§6). Ids are case-sensitive; one colliding with a reserved id is ignored. */
export interface SeedCustomRole {
  id: string;
  /** Whether the role grants an environment-scoped permission; default false. */
  supportsEnvLimit?: boolean;
}

/** Plan features (§6); every one defaults to true. */
export interface SeedPlan {
  advancedPermissions?: boolean;
  noAccessRole?: boolean;
  projectAdminRole?: boolean;
  roleManagement?: boolean;
}

export interface EmulatorSeed {
  apiKeys: SeedApiKey[];
  members: SeedMember[];
  projects: SeedProject[];
  /** The org's saved environments; default `dev` and `production`. */
  environments?: SeedEnvironment[];
  customRoles?: SeedCustomRole[];
  plan?: SeedPlan;
}

/**
 * A test's say over one request, given before the emulated API sees it (before body parsing, auth
 * and the rate limiter: it stands for a proxy or the network, so it is not counted). `pass` lets the
 * request through, optionally with extra response headers.
 */
export type Interception =
  | { kind: 'answer'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'raw'; status: number; headers: Record<string, string>; text: string }
  | { kind: 'drop' }
  | { kind: 'pass'; headers?: Record<string, string> };

export interface InterceptedRequest {
  method: string;
  path: string;
  /** Path and query string. */
  target: string;
}

/** Hooks the tests hand to the emulator; the product (the demo) sets none. */
export interface EmulatorHooks {
  /** Undefined: the request is served as usual. */
  intercept?: (request: InterceptedRequest) => Interception | undefined | Promise<Interception | undefined>;
  /** Runs between reading and writing back the whole members array on each write (§8 step 10). */
  beforeWrite?: () => Promise<void>;
}

/** One request as the emulator saw it. Headers are not kept, so no credential is ever logged. */
export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Response status; 0 while in flight or when the connection was dropped. */
  status: number;
  /** Arrival time, epoch milliseconds (by the emulator's `now`). */
  at: number;
  /** Parsed JSON body, or undefined (none, or not JSON). */
  body: unknown;
  userAgent: string | undefined;
  /** True when a test hook intercepted the request (answered, dropped, delayed or added headers). */
  intercepted: boolean;
}

export type OnRequest = (req: Readonly<RequestLogEntry>) => void | Promise<void>;

export interface EmulatorOptions {
  seed: EmulatorSeed;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default `{max: 60, windowMs: 60000}` (§3). */
  rateLimit?: { max: number; windowMs: number };
  /** The time of the rate-limit window and the request log; default `Date.now`. */
  now?: () => number;
  /** Test hooks: none by default, so writes cannot interleave and every request is served. */
  hooks?: EmulatorHooks;
  /** Called for every request before it is handled; may change the state (e.g. between two pages). */
  onRequest?: OnRequest;
}

/** A member in listMembers shape (§7). */
export interface ApiMember {
  id: string;
  name: string;
  email: string;
  globalRole: string;
  teams?: string[];
  environments: string[];
  limitAccessByEnvironment: boolean;
  additionalRoles?: ApiExtraRole[];
  projectRoles?: ApiProjectRole[];
  lastLoginDate?: string;
  dateCreated: string;
  managedbyIdp: boolean;
}

export interface ApiExtraRole {
  role: string;
  environments: string[];
  limitAccessByEnvironment: boolean;
}

export interface ApiProjectRole {
  project: string;
  role: string;
  environments: string[];
  limitAccessByEnvironment: boolean;
  additionalRoles?: ApiExtraRole[];
}

export interface Emulator {
  /** `http://host:port`; clients call `${url}/api/v1/...`. */
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly RequestLogEntry[];
  resetRequests(): void;
  setOnRequest(hook: OnRequest | undefined): void;
  /** Insert or replace a member (by id). */
  setMember(member: SeedMember): void;
  removeMember(id: string): void;
  /** What listMembers would return over all pages. */
  members(): ApiMember[];
  /** One member as listMembers shows it; undefined if absent or without a user document. */
  member(id: string): ApiMember | undefined;
  setPlan(plan: SeedPlan): void;
  close(): Promise<void>;
}
