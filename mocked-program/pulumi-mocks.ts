/**
 * The Pulumi mocks harness (used by the tests and by `npm run policy:check`): runs components, or the whole program (index.ts) for a stack, under
 * `pulumi.runtime.setMocks`, and records every resource registration as the engine would see it.
 *
 * Why a monitor wrapper and not only `Mocks.newResource`: `newResource` sees type, name and inputs
 * but neither the parent nor the dependencies. The registration request does: its parent URN, its
 * dependency URNs (a `dependsOn` on a component arrives expanded to that component's custom
 * children), its per-property dependencies, `ignoreChanges`, `customTimeouts`, `protect`, and which inputs are
 * secrets. (A stack transformation cannot do this under mocks: it is refused because the root
 * stack resource is not initialized.)
 *
 *   const run = await runProgram("recovery");             // the whole program, fresh modules
 *   run.resources.filter((r) => r.type === "aws:rds/instance:Instance")
 *   run.dependsOnTransitively(urnA, urnB)                  // through parents, as the engine orders them
 *   await promiseOf(run.outputs.buckets.media)             // the program's exports
 *
 *   const rec = await startMocks({ stack: "recovery" });  // for one component at a time
 *   new RestoredDatabase("database-orders", args);
 *   await rec.settle();  rec.resources …
 *
 * What the mocks answer: RDS instances get an address and port, ElastiCache groups a primary
 * endpoint, buckets their name, Jobs the status of a completed Job, Ingresses a load balancer host,
 * random passwords `mock-password-<name>`; a SnapshotResolution (and `aws.rds.getSnapshot`) a
 * snapshot taken at MOCK_SNAPSHOT_TIME (or, with `snapshots: "none"`, AWS's "no results"
 * error); `getSecretVersion` the value `mockSecretValue(secretId, stage or id)`. runProgram also
 * sets RestoredCache's "latest" lookup (normally the AWS SDK's) to one that agrees with `snapshots`.
 * `runProgram(stack, { config, catchError: true })` runs a changed config and keeps the recording
 * when the program throws (a config error must register nothing).
 */
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { chooseSnapshot, SNAPSHOT_RESOLUTION_KIND, type SnapshotRequest } from "../components/rds-snapshot";
import { readStackConfig } from "../stacks/loader";

export const ROOT = join(__dirname, "..");
export const PROJECT = "recovery-stacks";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** One `registerResource` request, as the engine received it. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  /** Filled when the mock monitor answers. */
  urn: string;
  readonly custom: boolean;
  /** The parent's URN; "" for top-level resources. */
  readonly parent: string;
  /** Dependency URNs (explicit `dependsOn`, expanded, plus those of every input). */
  readonly dependencies: readonly string[];
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  /** Inputs with secrets unwrapped and resource references as their URN. */
  readonly inputs: Record<string, unknown>;
  /** Dotted paths of the inputs that were Pulumi secrets (`stringData.DATABASE_URL`). */
  readonly secretPaths: readonly string[];
  readonly ignoreChanges: readonly string[];
  readonly protect: boolean;
  /** Outputs the resource asks the engine to keep secret (what CrossGuard can see of secretness). */
  readonly additionalSecretOutputs: readonly string[];
  /** The `customTimeouts` option as sent to the engine; an operation without one is absent. */
  readonly customTimeouts: { readonly create?: string; readonly update?: string; readonly delete?: string };
}

export interface RecordedInvoke {
  readonly token: string;
  readonly args: Record<string, unknown>;
}

export interface MockOptions {
  /** Defaults to "recovery". */
  readonly stack?: string;
  /** Defaults to false (an update: every value known). */
  readonly preview?: boolean;
  /** `none`: no RDS snapshot exists (SnapshotResolution fails as its check would, `aws.rds.getSnapshot` as AWS answers), and the cache lookup finds nothing. Defaults to `found`. */
  readonly snapshots?: "found" | "none";
}

/** The newest snapshot the mocks report for a database or cache. */
export const MOCK_SNAPSHOT_TIME = "2026-11-24T03:00:00Z";
/** When every Job the mocks run started and completed (what the live Job's status says). */
export const MOCK_JOB_START_TIME = "2026-11-25T10:00:00Z";
export const MOCK_JOB_COMPLETION_TIME = "2026-11-25T10:12:00Z";
/** The load balancer's host every Ingress gets. */
export const MOCK_INGRESS_HOSTNAME = "k8s-recovery-gateway-0123456789.eu-west-2.elb.amazonaws.com";
/** The value the mocks give every secret version: readable in assertions, unique per secret and version. */
export const mockSecretValue = (secretId: string, version: string): string => `value-of-${secretId}@${version}`;

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean;
  getDependenciesList(): string[];
  getIgnorechangesList(): string[];
  getAdditionalsecretoutputsList(): string[];
  getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
  getPropertydependenciesMap(): { toArray(): [string, unknown][]; get(k: string): { getUrnsList(): string[] } | undefined };
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}
interface InvokeRequest {
  getTok(): string;
  getArgs(): { toJavaScript(): Record<string, unknown> } | undefined;
}
type Callback = (err: unknown, resp: { getUrn?(): string } | undefined) => void;
interface MonitorLike {
  registerResource(req: RegisterRequest, cb: Callback): void;
  invoke(req: InvokeRequest, cb: Callback): void;
}

/** Unwraps the wire format: secrets to their value (path noted), resource references to URNs. */
function unwrap(value: unknown, path: string, secrets: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => unwrap(v, path ? `${path}.${i}` : String(i), secrets));
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o[SIG] === SECRET_SIG) {
      secrets.push(path);
      return unwrap(o.value, path, []);
    }
    if (o[SIG] === RESOURCE_SIG) return o.urn;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unwrap(v, path ? `${path}.${k}` : k, secrets)]));
  }
  return value === UNKNOWN ? undefined : value;
}

/** The request's custom timeouts; the SDK sends "" for an operation without one. */
function timeoutsOf(req: RegisterRequest): RecordedResource["customTimeouts"] {
  const t = req.getCustomtimeouts();
  const entries = Object.entries({ create: t?.getCreate(), update: t?.getUpdate(), delete: t?.getDelete() });
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined && v !== ""));
}

/** Plausible provider answers: the computed outputs each resource type gets in real life. */
function mockState(type: string, name: string, inputs: Record<string, unknown>, options: MockOptions): { id: string; state: Record<string, unknown> } {
  const s: Record<string, unknown> = { ...inputs };
  switch (type) {
    case "pulumi-nodejs:dynamic:Resource": {
      if (inputs.resolution !== SNAPSHOT_RESOLUTION_KIND) return { id: `${name}-id`, state: s };
      // What SnapshotResolution's check answers, from the snapshots the mocks say exist.
      const request = inputs as unknown as SnapshotRequest;
      const chosen = chooseSnapshot(request, options.snapshots === "none" ? [] : [mockSnapshot(request)]);
      if (typeof chosen === "string") throw new Error(chosen);
      return { id: `${request.sourceIdentifier}/${chosen.snapshotId}`, state: { ...s, ...chosen } };
    }
    case "aws:rds/instance:Instance": {
      const id = String(inputs.identifier ?? name);
      Object.assign(s, { address: `${id}.c1a2b3c4d5e6.eu-west-2.rds.amazonaws.com`, port: inputs.port ?? 5432, arn: `arn:aws:rds:eu-west-2:123456789012:db:${id}` });
      return { id, state: s };
    }
    case "aws:elasticache/replicationGroup:ReplicationGroup": {
      const id = String(inputs.replicationGroupId ?? name);
      return { id, state: { ...s, primaryEndpointAddress: `master.${id}.abcdef.euw2.cache.amazonaws.com`, arn: `arn:aws:elasticache:eu-west-2:123456789012:replicationgroup:${id}` } };
    }
    case "aws:s3/bucket:Bucket": {
      const id = String(inputs.bucket ?? name);
      return { id, state: { ...s, bucket: id, arn: `arn:aws:s3:::${id}` } };
    }
    case "aws:secretsmanager/secret:Secret":
      return { id: `arn:aws:secretsmanager:eu-west-2:123456789012:secret:${String(inputs.name)}-AbCdEf`, state: { ...s, arn: `arn:aws:secretsmanager:eu-west-2:123456789012:secret:${String(inputs.name)}-AbCdEf` } };
    // The Kubernetes provider awaits a Job's completion, then reads the live object back
    // (provider/pkg/await/await.go, Creation): its outputs carry the status the cluster wrote.
    case "kubernetes:batch/v1:Job":
      return { id: `${name}-id`, state: { ...s, status: { startTime: MOCK_JOB_START_TIME, completionTime: MOCK_JOB_COMPLETION_TIME, succeeded: 1 } } };
    // Likewise an Ingress, once its load balancer has an address.
    case "kubernetes:networking.k8s.io/v1:Ingress":
      return { id: `${name}-id`, state: { ...s, status: { loadBalancer: { ingress: [{ hostname: MOCK_INGRESS_HOSTNAME }] } } } };
    case "random:index/randomPassword:RandomPassword":
      return { id: `${name}-id`, state: { ...s, result: `mock-password-${name}` } };
    default:
      return { id: `${name}-id`, state: s };
  }
}

/** The one snapshot the mocks report: the named one, or the source's nightly automated snapshot. */
function mockSnapshot(request: SnapshotRequest): { id: string; sourceIdentifier: string; status: string; createTime: string } {
  const id = request.snapshot === "latest" ? `rds:${request.sourceIdentifier}-2026-11-24-03-00` : request.snapshot;
  return { id, sourceIdentifier: request.sourceIdentifier, status: "available", createTime: MOCK_SNAPSHOT_TIME };
}

function mockCall(token: string, args: Record<string, unknown>, options: MockOptions): Record<string, unknown> {
  switch (token) {
    case "aws:rds/getSnapshot:getSnapshot": {
      // What AWS (through the provider) answers when the query matches nothing.
      if (options.snapshots === "none") throw new Error("Your query returned no results. Please change your search criteria and try again.");
      const id = typeof args.dbSnapshotIdentifier === "string" ? args.dbSnapshotIdentifier : `rds:${String(args.dbInstanceIdentifier)}-2026-11-24-03-00`;
      return {
        ...args,
        id,
        dbSnapshotIdentifier: id,
        dbSnapshotArn: `arn:aws:rds:eu-west-2:123456789012:snapshot:${id}`,
        snapshotCreateTime: MOCK_SNAPSHOT_TIME,
        encrypted: true,
        engine: "postgres",
        status: "available",
      };
    }
    case "aws:secretsmanager/getSecretVersion:getSecretVersion": {
      const version = String(args.versionId ?? args.versionStage ?? "AWSCURRENT");
      return {
        ...args,
        id: `${String(args.secretId)}|${version}`,
        arn: `arn:aws:secretsmanager:eu-west-2:123456789012:secret:${String(args.secretId)}`,
        secretString: mockSecretValue(String(args.secretId), version),
        versionId: typeof args.versionId === "string" ? args.versionId : `v-${version.toLowerCase()}-0001`,
        versionStages: typeof args.versionStage === "string" ? [args.versionStage] : [],
      };
    }
    default:
      return args;
  }
}

/** What the mocks recorded, and queries over it. */
export class Recording {
  readonly resources: RecordedResource[] = [];
  readonly invokes: RecordedInvoke[] = [];

  /** Waits until every registration and invoke in flight has been answered. */
  async settle(): Promise<void> {
    const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs: () => Promise<void> }).waitForRPCs;
    for (let stable = 0, last = -1; stable < 3; ) {
      await waitForRPCs();
      await new Promise((resolve) => setImmediate(resolve));
      const count = this.resources.length + this.invokes.length;
      stable = count === last ? stable + 1 : 0;
      last = count;
    }
  }

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  byUrn(urn: string): RecordedResource | undefined {
    return this.resources.find((r) => r.urn === urn);
  }

  /** The resource of this type and name; throws if there is not exactly one. */
  one(type: string, name: string): RecordedResource {
    const found = this.resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
    return found[0];
  }

  /** The resource and its ancestors (parent chain), nearest first. */
  ancestry(urn: string): RecordedResource[] {
    const out: RecordedResource[] = [];
    for (let r = this.byUrn(urn); r !== undefined; r = r.parent ? this.byUrn(r.parent) : undefined) out.push(r);
    return out;
  }

  /** Every resource under `urn` (children, grandchildren …), not `urn` itself. */
  descendants(urn: string): RecordedResource[] {
    return this.resources.filter((r) => r.urn !== urn && this.ancestry(r.urn).some((a) => a.urn === urn));
  }

  /** The dependencies the engine orders `urn` after: its own and those of its ancestors (a child registers only once its parent has). */
  effectiveDependencies(urn: string): Set<string> {
    return new Set(this.ancestry(urn).flatMap((r) => r.dependencies));
  }

  /** True when `urn` waits for `on`, directly or through one of its ancestors. */
  dependsOn(urn: string, on: string): boolean {
    return this.effectiveDependencies(urn).has(on);
  }

  /** Internal: installs the recording on the mock monitor. */
  install(): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
    const register = monitor.registerResource.bind(monitor);
    const invoke = monitor.invoke.bind(monitor);
    monitor.registerResource = (req, cb) => {
      const secretPaths: string[] = [];
      const propertyDependencies: Record<string, string[]> = {};
      for (const [key] of req.getPropertydependenciesMap().toArray()) propertyDependencies[key] = req.getPropertydependenciesMap().get(key)?.getUrnsList() ?? [];
      const record: RecordedResource = {
        type: req.getType(),
        name: req.getName(),
        urn: "",
        custom: req.getCustom(),
        parent: req.getParent(),
        dependencies: req.getDependenciesList(),
        propertyDependencies,
        inputs: unwrap(req.getObject()?.toJavaScript() ?? {}, "", secretPaths) as Record<string, unknown>,
        secretPaths,
        ignoreChanges: req.getIgnorechangesList(),
        protect: req.getProtect(),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        customTimeouts: timeoutsOf(req),
      };
      this.resources.push(record);
      register(req, (err, resp) => {
        if (resp?.getUrn) record.urn = resp.getUrn();
        cb(err, resp);
      });
    };
    monitor.invoke = (req, cb) => {
      this.invokes.push({ token: req.getTok(), args: unwrap(req.getArgs()?.toJavaScript() ?? {}, "", []) as Record<string, unknown> });
      invoke(req, cb);
    };
  }
}

/** Sets Pulumi's mocks (answering resources and invokes with plausible data) and starts recording. */
export async function startMocks(options: MockOptions = {}): Promise<Recording> {
  const recording = new Recording();
  // Pulumi keeps stack config in a process-wide store: every start begins with none, so a
  // program run's `aws:region` never leaks into the next test's components (runProgram sets
  // the stack's own config after this).
  pulumi.runtime.setAllConfig({});
  await pulumi.runtime.setMocks(
    {
      newResource: (args) =>
        args.custom ? mockState(args.type, args.name, args.inputs as Record<string, unknown>, options) : { id: undefined, state: {} },
      call: (args) => mockCall(args.token, args.inputs as Record<string, unknown>, options),
    },
    PROJECT,
    options.stack ?? "recovery",
    options.preview ?? false,
  );
  recording.install();
  return recording;
}

/** An Output's value (or its error). Never an `apply` whose callback might not run. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

/** Stack YAML config (`recovery:databases: [...]`) as Pulumi hands it to a program: strings, objects as JSON. */
export function pulumiConfigOf(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** Forgets the project's own modules (not node_modules, not the tests), so the program runs afresh. */
function forgetProjectModules(root: string): void {
  const own = ["index.ts", "components", "stacks", "plan"].map((p) => join(root, p));
  for (const key of Object.keys(require.cache))
    if (!key.includes(`${"/"}node_modules${"/"}`) && own.some((p) => key === p || key.startsWith(`${p}/`))) delete require.cache[key];
}

export interface ProgramRun extends Recording {
  /** index.ts's exports (Outputs where the program exports Outputs); empty when it threw. */
  readonly outputs: Record<string, unknown>;
  /** What the program threw, when run with `catchError: true` (otherwise runProgram rejects). */
  readonly error?: unknown;
}

export interface RunOptions extends MockOptions {
  /** The stack's config map (`recovery:databases` …). Defaults to `Pulumi.<stack>.yaml`'s. */
  readonly config?: Record<string, unknown>;
  /** Resolve with `error` set instead of rejecting when the program throws, to inspect what was registered. */
  readonly catchError?: boolean;
  /**
   * A copy of the project to run instead of this one (tests/support/project-copy.ts), for an
   * inventory of the test's own: the program reads the Pulumi.prod.yaml beside its index.ts.
   */
  readonly root?: string;
}

/**
 * Runs the whole program (index.ts) for `stack` with the config of `Pulumi.<stack>.yaml` (or
 * `config`), under fresh mocks and freshly loaded project modules, and waits until every
 * registration has been answered. The working directory must be the project root (mocha's).
 */
export async function runProgram(stack: string, options: RunOptions = {}): Promise<ProgramRun> {
  const root = options.root ?? ROOT;
  const recording = await startMocks({ ...options, stack });
  pulumi.runtime.setAllConfig(pulumiConfigOf(options.config ?? readStackConfig(stack, root)));
  forgetProjectModules(root);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cache = require(join(root, "components", "restored-cache.ts")) as typeof import("../components/restored-cache");
  cache.setCacheSnapshotLookup(async (groupId) =>
    options.snapshots === "none" ? undefined : { name: `automatic.${groupId}-2026-11-24-03-00`, createTime: MOCK_SNAPSHOT_TIME },
  );
  let outputs: Record<string, unknown> = {};
  let error: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    outputs = require(join(root, "index.ts")) as Record<string, unknown>;
  } catch (thrown) {
    if (!options.catchError) throw thrown;
    error = thrown;
  }
  await recording.settle();
  return Object.assign(recording, { outputs, error });
}
