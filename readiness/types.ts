/** The kinds of inventory item readiness judges, as `--json` names them. */
export const ITEM_KINDS = ["database", "cache", "bucket", "secret"] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/**
 * `ok`: restorable now, within its tier's objective. `warn`: restorable, but something needs a look
 * (including what could not be checked: never reported as passed). `fail`: the restore would fail
 * or miss its objective.
 */
export type Status = "ok" | "warn" | "fail";

/** A tier's objectives, as an item is judged against them. */
export interface Objective {
  /** The tier's name, or `stack` for an item without one (the inventory's `recovery:objectives`). */
  readonly tier: string;
  readonly rpoMinutes: number;
  readonly rtoMinutes: number;
}

/**
 * One finding on an item: what is wrong and the fix, in one sentence. `unknown`: a check that
 * could not answer (no credentials, a timeout, an API the endpoint lacks): shown as a warning,
 * but the report is not ready while one remains, since an unread backup is not a backup.
 */
export interface Finding {
  readonly level: "warn" | "fail" | "unknown";
  readonly message: string;
}

/** What one check of an item found. `findings` empty means everything it looked at held. */
export interface ItemResult {
  /** What the stack would restore it from, as a person reads it: `latest restorable time of lomash-orders-prod`. */
  readonly restoredFrom: string;
  /** The newest point the restore reaches (ISO), when known. */
  readonly restorePoint: string | null;
  /** How much data the restore would lose if production died now; null when not known or not a time. */
  readonly achievableRpoMinutes: number | null;
  readonly findings: readonly Finding[];
  /** Facts worth knowing that are not problems (`add dbiResourceId: db-… to the inventory`). */
  readonly notes: readonly string[];
  /** The RPO is not judged (a pinned restore point goes back on purpose; a secret has no age). */
  readonly rpoNotJudged?: boolean;
  /** What to do when the achievable RPO exceeds the objective (`make the dumps more frequent`). */
  readonly rpoFix?: string;
  /** Inventory fields that drifted from the account, as the account has them (`--suggest` prints them). */
  readonly inventoryUpdate?: InventoryUpdate;
}

/** An inventory entry whose recorded fields no longer match the account: the fields as the account has them. */
export interface InventoryUpdate {
  /** The inventory's short name. */
  readonly name: string;
  /** The production resource's identifier. */
  readonly id: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** One inventory item's verdict, as `--json` prints it. */
export interface ReadinessItem {
  readonly kind: ItemKind;
  /** The inventory's short name. */
  readonly name: string;
  /** The AWS identifier or name of the production resource. */
  readonly id: string;
  readonly status: Status;
  readonly objective: Objective;
  readonly achievableRpoMinutes: number | null;
  readonly restorePoint: string | null;
  readonly restoredFrom: string;
  /** Each a sentence with its fix. */
  readonly problems: readonly string[];
  readonly notes: readonly string[];
  /** False when a check that decides the verdict could not answer. */
  readonly checked: boolean;
}

/** A resource in the account that no inventory item covers. */
export interface Uncovered {
  readonly kind: ItemKind;
  /** Its AWS identifier or name. */
  readonly id: string;
  readonly region: string;
}

export interface ReadinessReport {
  readonly stack: string;
  readonly source: string;
  readonly region: string;
  /** When the account was read (ISO). */
  readonly checkedAt: string;
  /** True when no item fails, every item could be checked, and nothing is uncovered (`--strict`: no warning either). */
  readonly ready: boolean;
  readonly items: readonly ReadinessItem[];
  readonly uncovered: readonly Uncovered[];
  /** What could not be listed for coverage (a kind, and why); coverage is incomplete when not empty. */
  readonly coverageProblems: readonly string[];
  readonly summary: {
    readonly ok: number;
    readonly warn: number;
    readonly fail: number;
    /** Items with a check that could not answer (counted in `warn` too). */
    readonly unchecked: number;
    readonly uncovered: number;
  };
  readonly durationMs: number;
}
