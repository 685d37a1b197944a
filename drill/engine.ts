/**
 * The engine a drill drives: a small interface over Pulumi's Automation API, so the
 * orchestration (run.ts) is the same code whether the real adapter (automation-engine.ts) or the
 * fake one (fake-engine.ts) sits behind it.
 *
 * Events mirror the Automation API's `EngineEvent`: only the fields the drill reads are typed,
 * so the real API's events pass straight through.
 */

/** Pulumi's step operations (`create`, `delete`, `same`, `replace`, …). */
export type EngineOp = string;

export interface EngineStepState {
  readonly type: string;
  readonly urn: string;
  /** The parent's URN; absent or empty for the stack itself. */
  readonly parent?: string;
}

export interface EngineStepMetadata {
  readonly op: EngineOp;
  readonly urn: string;
  readonly type: string;
  readonly old?: EngineStepState;
  readonly new?: EngineStepState;
}

/** A subset of `@pulumi/pulumi/automation`'s `EngineEvent`: exactly one field besides the stamps is set. */
export interface EngineEvent {
  readonly sequence?: number;
  /** Unix seconds, as the engine stamps it. The drill times with its own clock on receipt. */
  readonly timestamp?: number;
  readonly resourcePreEvent?: { readonly metadata: EngineStepMetadata; readonly planning?: boolean };
  readonly resOutputsEvent?: { readonly metadata: EngineStepMetadata; readonly planning?: boolean };
  readonly resOpFailedEvent?: { readonly metadata: EngineStepMetadata; readonly status?: number; readonly steps?: number };
  readonly diagnosticEvent?: { readonly urn?: string; readonly message: string; readonly severity: string };
}

export interface EngineRunOptions {
  readonly onEvent: (event: EngineEvent) => void;
  /** Aborted on SIGINT/SIGTERM: the engine cancels the running update (`stack.cancel()`). */
  readonly signal?: AbortSignal;
}

/** A resource the stack still holds (what `pulumi stack export` lists). */
export interface StackResource {
  readonly urn: string;
  readonly type: string;
  readonly id?: string;
  /** The name the cloud knows it by, when the state records one apart from the id (an RDS instance's `identifier`). */
  readonly identifier?: string;
}

export interface DrillEngine {
  /** "automation" (the Pulumi CLI through the Automation API) or "fake" (a rehearsal: nothing real is created). */
  readonly kind: "automation" | "fake";
  /** What was real in this run, for the report (the fake engine says nothing real was created). */
  readonly note?: string;
  /** Problems that stop the drill before anything is created (missing CLI, missing credentials). Empty when ready. */
  prerequisites(): Promise<string[]>;
  /** `pulumi up`. Rejects when the update fails or is cancelled. */
  up(options: EngineRunOptions): Promise<void>;
  /** `pulumi destroy`. Rejects when anything could not be deleted. */
  destroy(options: EngineRunOptions): Promise<void>;
  /** The stack outputs, secrets unwrapped: NEVER log them (they hold connection strings). */
  outputs(): Promise<Record<string, unknown>>;
  /** What the stack still holds (stack and providers excluded): the leftovers after a failed destroy. */
  resources(): Promise<StackResource[]>;
  /** The exact command a person runs to remove what is left. */
  destroyCommand(): string;
}

/** Turns the engine's stack resources into the ones a person cares about (no stack, no providers). */
export function isManagedResource(type: string): boolean {
  return type !== "pulumi:pulumi:Stack" && !type.startsWith("pulumi:providers:");
}
