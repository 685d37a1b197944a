/**
 * `npm run bench:plan`: how the plan scales with the fleet. Plans generated fleets of 10,000 and
 * 100,000 services (and 1,000,000 with --million) in interleaved rounds, after warm-ups.
 *
 * Why these sizes: a 1,000-service plan takes ~3 ms, too little to time against JIT and garbage
 * collection (two quiet runs gave 11.1× and 17.5× for the same growth). At 10,000 a plan takes
 * ~60 ms and at 100,000 ~1.5 s. Why CPU time for the claims: it is the work the plan does, which
 * is what n·log n and "under a second" are about; wall time adds whatever the other tenants of
 * this 2-core machine take (at load 13 a 10,000-service plan took 0.2–0.9 s of wall time for
 * ~0.1 s of CPU), so it is printed beside each claim with its spread, not judged. A smaller fleet
 * is planned several times per measurement (10 × 10,000 against 1 × 100,000) and its mean taken:
 * both sides of a ratio are then exposed to the machine's weather for the same ~2 s, and a
 * 100 ms measurement's jitter (its CPU time ranged 0.10–0.26 s in one run at load 18) averages out. Every measurement starts from a collected heap, so one
 * size's garbage is not charged to the next; the collections a plan's own allocations cause are.
 *
 * Memory: 100,000 services need ~0.4 GB of heap; 1,000,000 need ~2.9 GB (within Node's default
 * limit on this 24 GB machine) and ~1–1.5 min per plan, so --million is opt-in.
 */
import { performance } from "node:perf_hooks";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { buildPlan } from "../plan";
import type { RecoveryConfig } from "../stacks";
import { checkInventory } from "../stacks/inventory-checks";
import { resolveRestoreStack } from "../stacks/resolve";
import { generateFleet } from "./fleet";
import { benchArgs, wholeNumber } from "./lib/cli";
import { claimLine, interleaved, machineLoad, ratios, spreadLine } from "./lib/rounds";
import { log } from "./measure";
import { errorMessage } from "../scripts/lib/errors";
import { formatBytesIn } from "../scripts/lib/bytes";

const COMMAND = "npm run bench:plan";
const flags = benchArgs(COMMAND, "Plan growth from 10,000 to 100,000 services (n·log n).", {
  rounds: { type: "string", description: "timed rounds", default: "11" },
  warmup: { type: "string", description: "untimed rounds first", default: "2" },
  million: { type: "boolean", description: "also plan 1,000,000 services (~2.9 GB, slow)" },
});
const rounds = wholeNumber(COMMAND, "rounds", flags.rounds, 11, 1);
const warmup = wholeNumber(COMMAND, "warmup", flags.warmup, 2, 0);
const sizes = flags.million === true ? [10_000, 100_000, 1_000_000] : [10_000, 100_000];
const largest = sizes[sizes.length - 1];

// A full collection on demand, without asking the caller for `node --expose-gc`.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const ms = (v: number): string => `${v.toFixed(1)} ms`;
const times = (v: number): string => `${v.toFixed(2)}×`;
const label = (n: number): string => n.toLocaleString("en-GB");

function configOf(n: number): RecoveryConfig {
  const { inventory, stack } = generateFleet(n);
  if (checkInventory(inventory).length > 0) throw new Error(`generated fleet of ${n} is invalid`);
  const { config, problems } = resolveRestoreStack("bench", stack, inventory, new Date());
  if (problems.length > 0) throw new Error(`generated fleet of ${n}: ${problems[0].message}`);
  return config;
}

async function main(): Promise<void> {
  console.log(`bench:plan: ${machineLoad()}; heap limit ${formatBytesIn(getHeapStatistics().heap_size_limit, "GB")}`);
  const configs = new Map(sizes.map((n) => [n, configOf(n)]));
  const wall = new Map<number, number[]>(sizes.map((n) => [n, []]));
  const lastWall = new Map<number, number>();
  const contenders = Object.fromEntries(
    sizes.map((n) => [
      String(n),
      async (): Promise<number> => {
        const config = configs.get(n)!;
        const repeats = Math.round(largest / n);
        let [cpuMs, wallMs] = [0, 0];
        for (let i = 0; i < repeats; i++) {
          gc();
          const cpu0 = process.cpuUsage();
          const t0 = performance.now();
          const plan = buildPlan(config);
          wallMs += performance.now() - t0;
          const cpu = process.cpuUsage(cpu0);
          cpuMs += (cpu.user + cpu.system) / 1000;
          if (plan.steps.length < n) throw new Error("plan lost steps");
        }
        lastWall.set(n, wallMs / repeats);
        return cpuMs / repeats;
      },
    ]),
  );
  const cpu = await interleaved(contenders, {
    rounds,
    warmup,
    onRound: (r) => {
      for (const n of sizes) wall.get(n)!.push(lastWall.get(n)!);
      log(`round ${r}/${rounds}: ${sizes.map((n) => `${label(n)} ${ms(lastWall.get(n)!)}`).join(", ")}`);
    },
  });
  for (const n of sizes) {
    const steps = buildPlan(configs.get(n)!).steps.length;
    const repeats = Math.round(largest / n);
    const each = `${label(n)} services, ${label(steps)} steps${repeats > 1 ? `, mean of ${repeats} plans` : ""}`;
    console.log(spreadLine(`${each}, CPU`, cpu[String(n)], ms));
    console.log(spreadLine(`${each}, wall`, wall.get(n)!, ms));
  }
  const claims: string[] = [];
  for (let i = 1; i < sizes.length; i++) {
    const [small, big] = [sizes[i - 1], sizes[i]];
    const nlogn = (big * Math.log(big)) / (small * Math.log(small));
    const growth = `plan growth per 10× services (${label(small)} → ${label(big)}), CPU time`;
    console.log(spreadLine(`${growth.replace("CPU time", "wall time")} (not a claim)`, ratios(wall.get(big)!, wall.get(small)!), times));
    claims.push(claimLine(growth, ratios(cpu[String(big)], cpu[String(small)]), { op: "<=", value: nlogn }, times));
  }
  claims.push(claimLine("plan of 10,000 services, CPU time", cpu["10000"], { op: "<=", value: 1000 }, ms));
  console.log(claims.join("\n"));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:plan: ${errorMessage(error)}\n`);
  process.exitCode = 1;
});
