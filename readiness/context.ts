import type { RecoveryConfig } from "../stacks";
import type { AwsClients } from "./aws";

/** What every check gets: the resolved restore stack, the clients, and one "now" for every age. */
export interface CheckContext {
  readonly config: RecoveryConfig;
  readonly aws: AwsClients;
  readonly now: Date;
  /** Recent source objects looked up in each replica. */
  readonly sampleSize: number;
}
