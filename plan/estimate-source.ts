import { DEFAULT_ESTIMATES, SEED_004_KINDS, type EstimateKind } from "../stacks/estimates";
import type { RecoveryConfig } from "../stacks/types";
import type { EstimateSource } from "./types";

/**
 * Where a step's minutes come from, so a reader of `npm run plan` can tell the runbook's numbers
 * from the project's guesses and from the inventory's own, and knows which key changes each.
 * Read from the values: an item whose minutes differ from its kind's set its own `estimateMinutes`;
 * a kind whose minutes differ from the default was set in `recovery:estimates` (an override equal
 * to the default says the same number, so it shows as the default).
 */
export function estimateSource(config: RecoveryConfig, kind: EstimateKind, minutes: number, itemKey: string | undefined): EstimateSource {
  const kindKey = `recovery:estimates.${kind}`;
  if (itemKey !== undefined && minutes !== config.estimates[kind]) return { from: "item", key: itemKey };
  if (config.estimates[kind] !== DEFAULT_ESTIMATES[kind]) return { from: "inventory", key: kindKey };
  return { from: SEED_004_KINDS.has(kind) ? "seed-004" : "default", key: kindKey };
}
