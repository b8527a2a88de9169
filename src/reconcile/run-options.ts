// The options of one sync run, built in one place from the run's context and the command's choices,
// so every caller (plan, apply, the demo) runs with the same settings from the configuration.

import type { MemberWriter } from '../apply/apply-plan.js';
import type { ThresholdSettings } from '../core/check-safety.js';
import type { ManagedProject } from '../core/model.js';
import type { RunMode, SavedPlan } from '../core/plan.js';
import type { Scope } from '../core/scope.js';
import type { Logger } from '../observe/logger.js';
import type { SourceSet } from '../sources/collect-sources.js';
import type { Deadline } from '../util/deadline.js';
import type { RunContext } from './context.js';

export interface RunOptions {
  runId: string;
  mode: RunMode;
  /** Every managed project with its policy, in configuration order. */
  projects: ManagedProject[];
  /** Organization-wide: which members may be written, the pinned global role. */
  scope: Scope;
  threshold: ThresholdSettings;
  overrideThreshold: boolean;
  /** growthbook.maxSeats: grants beyond it are held back as pending. */
  maxSeats: number | undefined;
  /** apply --plan: apply exactly this plan, if the world still matches it. */
  savedPlan?: {
    plan: SavedPlan;
    maxAgeSeconds: number;
    now: Date;
    /** Why the file is not as plan --out wrote it (its checksum); the plan is then refused. */
    edited?: string | null;
  };
  sources: SourceSet;
  writer: MemberWriter;
  deadline: Deadline;
  logger: Logger;
  stopRequested: () => boolean;
  /** Told as writes proceed (a progress display on a terminal). */
  onWriteProgress?: (done: number, total: number) => void;
  /** A second signal: end as soon as the write in flight is recorded, without verifying. */
  stopUrgently?: () => boolean;
  /** Called once, just before the first write may start (signals stop the run at once until then). */
  onWritesBegin?: () => void;
}

/** What the command chooses for one run; everything else comes from the configuration. */
export interface RunChoices {
  mode: RunMode;
  overrideThreshold?: boolean;
  savedPlan?: SavedPlan;
  savedPlanEdited?: string | null;
  /** Asked before each write; true after SIGTERM/SIGINT. */
  stopRequested?: () => boolean;
  /** Told as writes proceed (a progress display on a terminal). */
  onWriteProgress?: (done: number, total: number) => void;
  stopUrgently?: () => boolean;
  onWritesBegin?: () => void;
  /** A run of its own inside the same context (the demo's three runs). */
  runId?: string;
  logger?: Logger;
}

export function runOptionsOf(ctx: RunContext, choices: RunChoices): RunOptions {
  return {
    runId: choices.runId ?? ctx.runId,
    mode: choices.mode,
    projects: ctx.projects,
    scope: ctx.scope,
    threshold: ctx.config.safety.threshold,
    overrideThreshold: choices.overrideThreshold === true,
    maxSeats: ctx.config.growthbook.maxSeats,
    ...(choices.savedPlan
      ? {
          savedPlan: {
            plan: choices.savedPlan,
            edited: choices.savedPlanEdited ?? null,
            maxAgeSeconds: ctx.config.safety.maxPlanAgeSeconds,
            now: new Date(),
          },
        }
      : {}),
    sources: ctx.sources,
    writer: ctx.client,
    deadline: ctx.deadline,
    logger: choices.logger ?? ctx.logger,
    stopRequested: choices.stopRequested ?? (() => false),
    ...(choices.onWriteProgress ? { onWriteProgress: choices.onWriteProgress } : {}),
    ...(choices.stopUrgently ? { stopUrgently: choices.stopUrgently } : {}),
    ...(choices.onWritesBegin ? { onWritesBegin: choices.onWritesBegin } : {}),
  };
}
