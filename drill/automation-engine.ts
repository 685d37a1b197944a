import { $, which } from "zx";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { isManagedResource, type DrillEngine, type StackResource } from "./engine";
import { errorMessage } from "../scripts/lib/errors";

export interface AutomationEngineOptions {
  readonly stack: string;
  /** The project folder (Pulumi.yaml). */
  readonly workDir: string;
  /** After an interrupt, how long the CLI gets to stop gracefully before `stack.cancel()`. Defaults to 30 s. */
  readonly cancelAfterMs?: number;
}

const CLI_MISSING =
  "the Pulumi CLI is not installed (spawn pulumi ENOENT): install it (https://www.pulumi.com/docs/install/, e.g. `curl -fsSL https://get.pulumi.com | sh`) and put it on PATH; to rehearse the orchestration without a cloud, use --engine fake";

/** Turns the CLI's errors into one line; a missing CLI into the one clear message above. */
function explain(error: unknown): Error {
  const text = errorMessage(error);
  if (/ENOENT/.test(text) && /pulumi/.test(text)) return new Error(CLI_MISSING);
  const line = text.split("\n").map((l) => l.trim()).find((l) => /^error:/i.test(l)) ?? text.split("\n")[0];
  return new Error(line.slice(0, 500));
}

/**
 * The real engine: the Pulumi CLI driven through the Automation API's LocalWorkspace, on the
 * project in `workDir` (so `pulumi up --stack drill` by hand does exactly the same).
 */
export function automationEngine(options: AutomationEngineOptions): DrillEngine {
  let selected: Promise<Stack> | undefined;
  const stack = () =>
    (selected ??= LocalWorkspace.createOrSelectStack({ stackName: options.stack, workDir: options.workDir }).catch((e: unknown) => {
      selected = undefined;
      throw explain(e);
    }));
  const run = async <T>(work: (s: Stack) => Promise<T>): Promise<T> => {
    const s = await stack();
    try {
      return await work(s);
    } catch (error) {
      throw explain(error);
    }
  };

  return {
    kind: "automation",
    async prerequisites() {
      // The CLI's processes go through zx like every other control-plane command (blast-radius's preview).
      const pulumi = await which("pulumi", { nothrow: true });
      if (!pulumi) return [CLI_MISSING];
      // PULUMI_ACCESS_TOKEN (Pulumi Cloud) or a self-managed backend (PULUMI_BACKEND_URL or `pulumi login s3://…`).
      const whoami = await $({ nothrow: true, quiet: true, timeout: "30s" })`${pulumi} whoami --non-interactive`;
      if (whoami.exitCode !== 0)
        return [
          "Pulumi has no credentials for a backend: set PULUMI_ACCESS_TOKEN (Pulumi Cloud) or PULUMI_BACKEND_URL (e.g. s3://state-bucket), or run `pulumi login` once",
        ];
      return [];
    },
    async up({ onEvent, signal }) {
      await run(async (s) => {
        // The abort stops the CLI gracefully (SIGINT); if it has not stopped in time, cancel the
        // update in the backend too, so destroy is not blocked by a held lock.
        let timer: NodeJS.Timeout | undefined;
        const onAbort = () => {
          timer = setTimeout(() => void s.cancel().catch(() => undefined), options.cancelAfterMs ?? 30_000);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        try {
          await s.up({ onEvent, signal, color: "never", suppressOutputs: true });
        } finally {
          signal?.removeEventListener("abort", onAbort);
          clearTimeout(timer);
        }
      });
    },
    async destroy({ onEvent }) {
      // refresh first: after a cancelled up, the state may not know everything that exists.
      await run((s) => s.destroy({ onEvent, refresh: true, continueOnError: true, color: "never", suppressOutputs: true }));
    },
    async outputs() {
      const map = await run((s) => s.outputs());
      return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v.value as unknown]));
    },
    async resources() {
      const { deployment } = await run((s) => s.exportStack());
      type Exported = { urn: string; type: string; id?: string; outputs?: { identifier?: unknown } };
      const d = deployment as { resources?: Exported[]; pending_operations?: { resource: Exported; type: string }[] };
      // An RDS instance's id is its DbiResourceId (terraform-provider-aws v5+); its identifier is an output.
      const identifier = (r: Exported) => (typeof r.outputs?.identifier === "string" ? r.outputs.identifier : undefined);
      const listed: StackResource[] = (d.resources ?? []).filter((r) => isManagedResource(r.type)).map((r) => ({ urn: r.urn, type: r.type, id: r.id, identifier: identifier(r) }));
      // An interrupted create may exist in the cloud without being in the state: list it too.
      for (const p of d.pending_operations ?? [])
        if (isManagedResource(p.resource.type)) listed.push({ urn: p.resource.urn, type: `${p.resource.type} (pending ${p.type})`, id: p.resource.id, identifier: identifier(p.resource) });
      return listed;
    },
    destroyCommand() {
      return `pulumi destroy --stack ${options.stack} --cwd ${options.workDir} --refresh --yes`;
    },
  };
}
