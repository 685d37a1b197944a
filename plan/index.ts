export { buildPlan } from "./build";
export { stepId } from "./steps";
export type { PlanStep, RecoveryPlan, StepKind, TierPlan, Verdict } from "./types";
export { planJson, renderPlan, tierLines, verdictLine } from "./render";
