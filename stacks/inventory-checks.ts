import { checkBucketSettings } from "./bucket-checks";
import { databaseConfigurationProblems } from "./database-configuration";
import { keyPath, under, type Problem } from "./problems";
import { redisVersionProblems } from "./checks/cache";
import { DEFAULT_REDIS_IMAGE } from "./image-reference";
import type { Inventory } from "./schema";


const LISTS = ["databases", "caches", "buckets", "secrets", "services", "smoke"] as const;
const REF_KINDS: Record<string, (typeof LISTS)[number]> = {
  database: "databases",
  cache: "caches",
  bucket: "buckets",
  secret: "secrets",
  service: "services",
};

function duplicateNames(inv: Inventory): Problem[] {
  const problems: Problem[] = [];
  for (const list of LISTS) {
    const seen = new Map<string, number>();
    inv[list].forEach((item, i) => {
      const first = seen.get(item.name);
      if (first === undefined) seen.set(item.name, i);
      else
        problems.push({
          path: [list, i, "name"],
          message: `"${item.name}" is already the name of ${keyPath([list, first])}; names must be unique, rename one`,
        });
    });
  }
  return problems;
}

function sourceIdentifiersUnique(inv: Inventory): Problem[] {
  const problems: Problem[] = [];
  const owners = new Map<string, string>();
  const claim = (name: string, path: PropertyKey[]) => {
    const other = owners.get(name);
    if (other !== undefined)
      problems.push({ path, message: `"${name}" is also ${other}; each production resource has its own name` });
    else owners.set(name, keyPath(path));
  };
  inv.databases.forEach((d, i) => claim(d.identifier, ["databases", i, "identifier"]));
  inv.caches.forEach((c, i) => (c.kind === "elasticache" ? claim(c.replicationGroupId, ["caches", i, "replicationGroupId"]) : claim(c.statefulSet, ["caches", i, "statefulSet"])));
  inv.buckets.forEach((b, i) => {
    claim(b.bucket, ["buckets", i, "bucket"]);
    claim(b.replica.bucket, ["buckets", i, "replica", "bucket"]);
  });
  return problems;
}

function danglingReferences(inv: Inventory): Problem[] {
  const problems: Problem[] = [];
  const names = Object.fromEntries(LISTS.map((l) => [l, new Set(inv[l].map((x) => x.name))]));
  inv.services.forEach((svc, i) => {
    svc.dependsOn.forEach((ref, j) => {
      const [kind, target] = ref.split(":");
      const list = REF_KINDS[kind];
      if (kind === "service" && target === svc.name) {
        problems.push({ path: ["services", i, "dependsOn", j], message: `a service cannot depend on itself; remove "${ref}"` });
      } else if (!names[list].has(target)) {
        const known = [...names[list]].map((n) => `${kind}:${n}`);
        problems.push({
          path: ["services", i, "dependsOn", j],
          message: `"${ref}" does not exist; use one of ${known.length > 0 ? known.join(", ") : `nothing (no ${list} in the inventory)`}`,
        });
      }
    });
    if (svc.migrations && !names.databases.has(svc.migrations.database)) {
      problems.push({
        path: ["services", i, "migrations", "database"],
        message: `"${svc.migrations.database}" is not a database in the inventory; use one of ${[...names.databases].join(", ") || "(none)"}`,
      });
    }
  });
  return problems;
}

function dependencyCycles(inv: Inventory): Problem[] {
  const index = new Map(inv.services.map((s, i) => [s.name, i]));
  const edges = new Map(
    inv.services.map((s) => [
      s.name,
      s.dependsOn.filter((r) => r.startsWith("service:")).map((r) => r.slice("service:".length)).filter((n) => index.has(n) && n !== s.name),
    ]),
  );
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const problems: Problem[] = [];
  const reported = new Set<string>();

  const visit = (name: string): void => {
    state.set(name, "visiting");
    stack.push(name);
    for (const next of edges.get(name) ?? []) {
      if (state.get(next) === "visiting") {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const id = [...cycle.slice(0, -1)].sort().join(",");
        if (!reported.has(id)) {
          reported.add(id);
          problems.push({
            path: ["services", index.get(next)!, "dependsOn"],
            message: `dependency cycle ${cycle.map((n) => `service:${n}`).join(" → ")}; remove one of these dependencies`,
          });
        }
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(name, "done");
  };
  for (const s of inv.services) if (!state.has(s.name)) visit(s.name);
  return problems;
}

/**
 * The plan makes the gateway wait for every other service (it gates all traffic), so a service
 * that depends on the gateway closes a cycle the config does not spell out: `service:x →
 * service:<gateway> → service:x`. Reported at the edge the config does write.
 */
function dependenciesOnTheGateway(inv: Inventory): Problem[] {
  const gateways = inv.services.filter((s) => s.gateway);
  // With no gateway or two, exactlyOneGateway reports the cause; there is no implicit edge to check.
  if (gateways.length !== 1) return [];
  const gateway = gateways[0];
  const ref = `service:${gateway.name}`;
  const problems: Problem[] = [];
  inv.services.forEach((svc, i) => {
    if (svc === gateway) return;
    // The gateway naming this service too is an explicit cycle: dependencyCycles reports it.
    if (gateway.dependsOn.includes(`service:${svc.name}`)) return;
    svc.dependsOn.forEach((dep, j) => {
      if (dep !== ref) return;
      problems.push({
        path: ["services", i, "dependsOn", j],
        message: `dependency cycle service:${svc.name} → ${ref} → service:${svc.name} (the gateway waits for every other service); remove "${ref}": a service reaches the others directly, never through the gateway`,
      });
    });
  });
  return problems;
}

function exactlyOneGateway(inv: Inventory): Problem[] {
  const gateways = inv.services.map((s, i) => ({ s, i })).filter(({ s }) => s.gateway);
  if (gateways.length === 1) return [];
  if (gateways.length === 0)
    return [{ path: ["services"], message: "no service is the gateway; set `gateway: true` on the one service that gates all traffic" }];
  return gateways.slice(1).map(({ s, i }) => ({
    path: ["services", i, "gateway"],
    message: `"${s.name}" is a second gateway (the first is "${gateways[0].s.name}"); exactly one service gates traffic, set the others to false`,
  }));
}

/** An item's `tier` names one of `recovery:tiers` (seed 001's three when it is not given). */
function unknownTiers(inv: Inventory): Problem[] {
  const tiers = Object.keys(inv.tiers);
  const problems: Problem[] = [];
  for (const list of ["databases", "caches", "buckets", "secrets"] as const)
    inv[list].forEach((item, i) => {
      if (item.tier !== undefined && !tiers.includes(item.tier))
        problems.push({ path: [list, i, "tier"], message: `"${item.tier}" is not a tier; use one of ${tiers.join(", ")} or define it under recovery:tiers` });
    });
  return problems;
}

/** A coverage rule that names neither a pattern nor a tag would match everything, silently. */
function emptyCoverageRules(inv: Inventory): Problem[] {
  return (["include", "exclude"] as const).flatMap((side) =>
    inv.coverage[side].flatMap((rule, i) =>
      rule.name === undefined && rule.tag === undefined
        ? [{ path: ["coverage", side, i], message: "names neither a name pattern nor a tag, so it would match everything; add name: <pattern> or tag: <key>=<value>" }]
        : [],
    ),
  );
}

function redisVersionsKnown(inv: Inventory): Problem[] {
  return inv.caches.flatMap((c, i) => (c.kind === "cluster" ? under(["caches", i], redisVersionProblems(c.redisImage ?? DEFAULT_REDIS_IMAGE, c.redisVersion)) : []));
}

/** Mistakes the schema alone cannot see: duplicates, references, cycles, the gateway, tiers. */
export function checkInventory(inv: Inventory): Problem[] {
  const duplicates = [
    ...duplicateNames(inv),
    ...sourceIdentifiersUnique(inv),
    ...unknownTiers(inv),
    ...emptyCoverageRules(inv),
    ...redisVersionsKnown(inv),
    ...inv.databases.flatMap((d, i) => under(["databases", i], databaseConfigurationProblems(d))),
  ];
  // With two things of one name, every reference to it is ambiguous: report the cause alone.
  if (duplicates.length > 0) return [...duplicates, ...exactlyOneGateway(inv), ...checkBucketSettings(inv)];
  return [
    ...checkBucketSettings(inv),
    ...danglingReferences(inv),
    ...dependencyCycles(inv),
    ...dependenciesOnTheGateway(inv),
    ...exactlyOneGateway(inv),
  ];
}
