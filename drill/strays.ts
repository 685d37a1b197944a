import { paginateDescribeDBInstances, RDSClient } from "@aws-sdk/client-rds";
import type { RecoveryConfig } from "../stacks";
import type { StackResource } from "./engine";

/** An RDS instance the drill created (by its tags) that the stack's state does not hold. */
export interface StrayInstance {
  readonly identifier: string;
  readonly status?: string;
  /** The exact command that removes it (a drill's instances have no deletion protection). */
  readonly command: string;
}

export interface StrayReport {
  readonly instances: readonly StrayInstance[];
  /** Instances carrying this stack's tags under a production name: never listed for removal. */
  readonly refused: readonly string[];
}

/**
 * Finds what a destroy cannot see: a create that timed out leaves the instance in AWS but not in
 * the state (terraform-provider-aws returns the error, Pulumi records nothing to delete), and the
 * next drill's `up` fails with DBInstanceAlreadyExists.
 */
export interface StrayLookup {
  find(config: RecoveryConfig, inState: readonly StackResource[]): Promise<StrayReport>;
}

const TIMEOUT_MS = 30_000;

/**
 * The RDS API, read only (DescribeDBInstances, every page; the SDK honours AWS_ENDPOINT_URL). An
 * instance is this drill's when its tags say so, as the components set them (components/tags.ts
 * recoveryTags): `recovery:stack` is this stack and `recovery:source` one of the inventory's
 * databases. Nothing is deleted here: the report gives the command, a person runs it.
 */
export function awsStrayLookup(region?: string): StrayLookup {
  return {
    async find(config, inState) {
      const rds = new RDSClient({ region: region ?? config.region });
      const known = new Set(inState.flatMap((r) => [r.id, r.identifier].filter((x): x is string => x !== undefined)));
      const sources = new Set(config.databases.map((d) => d.source.identifier));
      const production = new Set(config.sourceNames);
      const instances: StrayInstance[] = [];
      const refused: string[] = [];
      try {
        const pages = paginateDescribeDBInstances({ client: rds, pageSize: 100 }, {});
        for await (const page of pages) {
          for (const db of page.DBInstances ?? []) {
            const tags = new Map((db.TagList ?? []).map((t) => [t.Key, t.Value]));
            const id = db.DBInstanceIdentifier;
            if (id === undefined || tags.get("recovery:stack") !== config.stack || !sources.has(tags.get("recovery:source") ?? "")) continue;
            if (known.has(id) || (db.DbiResourceId !== undefined && known.has(db.DbiResourceId))) continue;
            // Invariant 1: a source is never something to delete, whatever its tags say.
            if (production.has(id)) refused.push(id);
            else instances.push({ identifier: id, status: db.DBInstanceStatus, command: `aws rds delete-db-instance --db-instance-identifier ${id} --skip-final-snapshot` });
          }
        }
      } finally {
        rds.destroy();
      }
      return { instances, refused };
    },
  };
}

/** Bounded, as every network call of the drill is. */
export function withStrayTimeout<T>(work: Promise<T>, ms = TIMEOUT_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the RDS API did not answer within ${ms / 1000} s`)), ms);
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
