import type { PlanStep } from "./types";
import type { StepSpec } from "./steps";

export interface Schedule {
  readonly steps: PlanStep[];
  readonly criticalPath: string[];
  readonly finishMinute: number;
}

/**
 * Earliest start and finish of every step (independent restores run in parallel) and the
 * critical path, in O(steps + edges): Kahn's topological order, then one backward walk.
 */
export function schedule(specs: readonly StepSpec[]): Schedule {
  const byId = new Map(specs.map((s, i) => [s.id, i]));
  const indegree = new Int32Array(specs.length);
  const dependents: number[][] = specs.map(() => []);
  // Each edge's id is looked up once; the passes below work on indexes.
  const depIndexes: number[][] = specs.map((s, i) =>
    s.dependsOn.map((dep) => {
      const j = byId.get(dep);
      if (j === undefined) throw new Error(`plan: step ${s.id} depends on unknown step ${dep}`);
      indegree[i]++;
      dependents[j].push(i);
      return j;
    }),
  );

  const start = new Float64Array(specs.length);
  const finish = new Float64Array(specs.length);
  const queue: number[] = [];
  specs.forEach((_, i) => indegree[i] === 0 && queue.push(i));
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head];
    finish[i] = start[i] + specs[i].estimateMinutes;
    for (const k of dependents[i]) {
      if (finish[i] > start[k]) start[k] = finish[i];
      if (--indegree[k] === 0) queue.push(k);
    }
  }
  // The loader refuses every cycle a config can express (stacks/inventory-checks.ts), with its key;
  // reaching this is a bug in a plan rule, so say which cycle it made.
  if (queue.length !== specs.length) throw new Error(`plan: dependency cycle ${cycleAmong(specs, depIndexes, indegree).join(" → ")}`);

  // Walk back from the last step to finish, always through the dependency that finished last.
  const critical = new Set<number>();
  let last = -1;
  specs.forEach((_, i) => {
    if (last < 0 || finish[i] > finish[last]) last = i;
  });
  for (let i = last; i >= 0; ) {
    critical.add(i);
    let next = -1;
    for (const j of depIndexes[i]) {
      if (finish[j] === start[i] && (next < 0 || finish[j] > finish[next])) next = j;
    }
    i = next;
  }

  const order = specs
    .map((_, i) => i)
    .sort((a, b) => start[a] - start[b] || finish[a] - finish[b] || a - b);
  const steps: PlanStep[] = order.map((i) => ({
    id: specs[i].id,
    kind: specs[i].kind,
    name: specs[i].name,
    dependsOn: [...specs[i].dependsOn],
    estimateMinutes: specs[i].estimateMinutes,
    startMinute: start[i],
    finishMinute: finish[i],
    critical: critical.has(i),
    ...(specs[i].tier !== undefined ? { tier: specs[i].tier } : {}),
    ...(specs[i].estimateSource !== undefined ? { estimateSource: specs[i].estimateSource } : {}),
    ...(specs[i].restore !== undefined ? { restore: specs[i].restore } : {}),
  }));
  const criticalPath = [...critical].sort((a, b) => start[a] - start[b]).map((i) => specs[i].id);
  return { steps, criticalPath, finishMinute: last < 0 ? 0 : finish[last] };
}

/**
 * One cycle among the steps Kahn's order could not reach: each of them waits for at least one
 * other such step, so following those edges must come back to a step already on the path.
 */
function cycleAmong(specs: readonly StepSpec[], depIndexes: readonly number[][], indegree: Int32Array): string[] {
  const path: number[] = [];
  const onPath = new Map<number, number>();
  let i = indegree.findIndex((d) => d > 0);
  while (!onPath.has(i)) {
    onPath.set(i, path.length);
    path.push(i);
    i = depIndexes[i].find((j) => indegree[j] > 0)!;
  }
  return [...path.slice(onPath.get(i)), i].map((k) => specs[k].id);
}
