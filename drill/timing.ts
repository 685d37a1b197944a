import { componentNameOfStepId, isComponentType, parseUrn as parseUrnParts } from "../components/names";
import type { PlanStep } from "../plan";
import { isManagedResource, type EngineEvent } from "./engine";

/** An engine event and when the drill received it (ms on the drill's clock). */
export interface StampedEvent {
  readonly at: number;
  readonly event: EngineEvent;
}

export interface ResourceTiming {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly op: string;
  /** The plan step the resource realises, or undefined when it belongs to none (e.g. the environment itself). */
  readonly stepId?: string;
  /** ms on the drill's clock. */
  readonly startedAt: number;
  readonly finishedAt?: number;
  readonly failed: boolean;
}

export interface StepTiming {
  readonly stepId: string;
  readonly startedAt: number;
  readonly finishedAt?: number;
  readonly resources: number;
  readonly failed: boolean;
}

/** `urn:pulumi:drill::recovery-stacks::a:b:C$d:e:F::name` → its type chain and name. */
export function parseUrn(urn: string): { typeChain: string[]; name: string } {
  const parsed = parseUrnParts(urn);
  return parsed ? { typeChain: [...parsed.typeChain], name: parsed.name } : { typeChain: [], name: urn };
}


/**
 * Attributes resources to plan steps. A step's component is named `<kind>-<name>` with a
 * `recovery:<module>:<Type>` token, and its children are named from it (`database-orders-db`)
 * and carry that token in their URN's type chain. When the name says nothing, the parent does.
 */
export class StepAttributor {
  private readonly byComponent: [string, string][];
  private readonly parents = new Map<string, string>();

  constructor(stepIds: readonly string[]) {
    // longest first, so `service-order-payment` wins over `service-order`
    this.byComponent = stepIds.map((id): [string, string] => [componentNameOfStepId(id), id]).sort((a, b) => b[0].length - a[0].length);
  }

  noteParent(urn: string, parent: string | undefined): void {
    if (parent) this.parents.set(urn, parent);
  }

  stepOf(urn: string, seen = new Set<string>()): string | undefined {
    const { typeChain, name } = parseUrn(urn);
    if (typeChain.some(isComponentType)) {
      for (const [component, id] of this.byComponent) if (name === component || name.startsWith(`${component}-`)) return id;
    }
    const parent = this.parents.get(urn);
    if (parent && !seen.has(parent)) {
      seen.add(urn);
      return this.stepOf(parent, seen);
    }
    return undefined;
  }
}

/** Engine events → how long each resource took, from its pre-event to its outputs (or failure). */
export function resourceTimings(events: readonly StampedEvent[], steps: readonly PlanStep[]): ResourceTiming[] {
  const attributor = new StepAttributor(steps.map((s) => s.id));
  const open = new Map<string, { type: string; op: string; startedAt: number }>();
  const done = new Map<string, ResourceTiming>();
  const finish = (urn: string, at: number, failed: boolean) => {
    const started = open.get(urn);
    if (!started) return;
    open.delete(urn);
    done.set(urn, { urn, type: started.type, name: parseUrn(urn).name, op: started.op, stepId: attributor.stepOf(urn), startedAt: started.startedAt, finishedAt: at, failed });
  };
  for (const { at, event } of events) {
    const pre = event.resourcePreEvent;
    if (pre && !pre.planning) {
      const m = pre.metadata;
      attributor.noteParent(m.urn, m.new?.parent ?? m.old?.parent);
      if (isManagedResource(m.type) && !open.has(m.urn)) open.set(m.urn, { type: m.type, op: m.op, startedAt: at });
    }
    if (event.resOutputsEvent && !event.resOutputsEvent.planning) finish(event.resOutputsEvent.metadata.urn, at, false);
    if (event.resOpFailedEvent) finish(event.resOpFailedEvent.metadata.urn, at, true);
  }
  // Still open when the update ended: started, never finished (cancelled or failed elsewhere).
  for (const [urn, s] of open)
    done.set(urn, { urn, type: s.type, name: parseUrn(urn).name, op: s.op, stepId: attributor.stepOf(urn), startedAt: s.startedAt, failed: false });
  return [...done.values()].sort((a, b) => a.startedAt - b.startedAt);
}

/** A step runs from its first resource's start to its last resource's finish. */
export function stepTimings(resources: readonly ResourceTiming[]): Map<string, StepTiming> {
  const out = new Map<string, StepTiming>();
  for (const r of resources) {
    if (!r.stepId) continue;
    const prev = out.get(r.stepId);
    const unfinished = r.finishedAt === undefined || (prev !== undefined && prev.finishedAt === undefined);
    out.set(r.stepId, {
      stepId: r.stepId,
      startedAt: Math.min(prev?.startedAt ?? Infinity, r.startedAt),
      finishedAt: unfinished ? undefined : Math.max(prev?.finishedAt ?? -Infinity, r.finishedAt ?? -Infinity),
      resources: (prev?.resources ?? 0) + 1,
      failed: (prev?.failed ?? false) || r.failed,
    });
  }
  return out;
}
