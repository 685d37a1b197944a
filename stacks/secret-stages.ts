import { distance } from "fastest-levenshtein";

/**
 * Secrets Manager's own staging labels (GetSecretValue, DescribeSecret's VersionIdsToStages).
 * AWSCURRENT is what production runs now; AWSPREVIOUS exists only after a rotation or a
 * PutSecretValue and is the superseded value (a revoked key); AWSPENDING is a rotation's
 * not-yet-verified value. Labels are case-sensitive, and custom labels of up to 256 characters
 * are legal (UpdateSecretVersionStage), so only near-misses of these three are refused.
 */
export const AWS_STAGES = ["AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"] as const;

/**
 * What a secret restores unless told otherwise: the value production runs now. Seed 004 restores
 * the previous version only for a secret overwritten or rotated wrongly, and asks for it by name.
 */
export const DEFAULT_SECRET_STAGE = "AWSCURRENT";

/** At most this many edits away (case ignored) from one of AWS's labels counts as a misspelling. */
const MAX_EDITS = 2;

/**
 * The AWS label `stage` was probably meant to be, when it is not one but looks like one
 * (`AWSPREVIUOS`, `awscurrent`, `AWS_PREVIOUS`, `previous`); undefined for AWS's labels themselves
 * and for custom labels that resemble none of them.
 */
export function misspeltAwsStage(stage: string): string | undefined {
  if ((AWS_STAGES as readonly string[]).includes(stage)) return undefined;
  const upper = stage.toUpperCase();
  const letters = upper.replace(/[^A-Z]/g, "");
  let best: { label: string; edits: number } | undefined;
  for (const label of AWS_STAGES) {
    // `previous`, `Current`: the label without its AWS prefix.
    if (letters === label || letters === label.slice("AWS".length)) return label;
    const edits = distance(upper, label);
    if (edits <= MAX_EDITS && (best === undefined || edits < best.edits)) best = { label, edits };
  }
  return best?.label;
}
