export { buildPlan } from "./build";
export { stepId } from "./steps";
export type { PlanStep, RecoveryPlan, StepKind, Verdict } from "./types";
export { planJson, renderPlan, verdictLine } from "./render";
