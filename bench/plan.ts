// `npm run bench:plan`: how the plan scales with the fleet. Plans generated fleets of 10 to
// 10,000 services and checks the growth stays within n·log n and 10,000 services plan in < 1 s.
import { performance } from "node:perf_hooks";
import { buildPlan } from "../plan";
import { checkInventory } from "../stacks/inventory-checks";
import { resolveRestoreStack } from "../stacks/resolve";
import { generateFleet } from "./fleet";

const SIZES = [10, 100, 1_000, 10_000];
const RUNS = 15;
const WARMUP = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const results = SIZES.map((n) => {
  const { inventory, stack } = generateFleet(n);
  if (checkInventory(inventory).length > 0) throw new Error(`generated fleet of ${n} is invalid`);
  const { config, problems } = resolveRestoreStack("bench", stack, inventory, new Date());
  if (problems.length > 0) throw new Error(`generated fleet of ${n}: ${problems[0].message}`);
  for (let i = 0; i < WARMUP; i++) buildPlan(config); // JIT and heap warm-up before timing
  const times = Array.from({ length: RUNS }, () => {
    const t0 = performance.now();
    const plan = buildPlan(config);
    const ms = performance.now() - t0;
    if (plan.steps.length < n) throw new Error("plan lost steps");
    return ms;
  });
  const ms = median(times);
  const steps = buildPlan(config).steps.length;
  console.log(`${String(n).padStart(6)} services  ${String(steps).padStart(6)} steps  ${ms.toFixed(2).padStart(9)} ms (median of ${RUNS})`);
  return { n, ms };
});

const [, , k1, k10] = results;
const growth = k10.ms / k1.ms;
const nlogn = (k10.n * Math.log(k10.n)) / (k1.n * Math.log(k1.n));
console.log(`plan growth per 10x services (1,000 → 10,000): ${growth.toFixed(2)}x (target <= ${nlogn.toFixed(2)}x, n·log n)`);
console.log(`plan of 10,000 services: ${k10.ms.toFixed(1)} ms (target < 1000 ms)`);
