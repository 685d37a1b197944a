import type { CORSRule, LifecycleRule as S3LifecycleRule } from "@aws-sdk/client-s3";
import type { BucketPolicy, CorsRule, LifecycleRule } from "./bucket-settings";

/**
 * Bucket configuration documents as S3's API spells them, and a canonical form to compare them
 * in: verify compares a rebuilt bucket with the inventory, readiness production with the
 * inventory. S3 answers a policy as it was written (one Action or a list of one, keys in any
 * order, condition keys in any case), so neither side is compared as text.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The inventory's CORS rules as PutBucketCors takes them. */
export function corsToS3(rules: readonly CorsRule[]): CORSRule[] {
  return rules.map((r) => ({
    ID: r.id,
    AllowedOrigins: r.allowedOrigins,
    AllowedMethods: r.allowedMethods,
    AllowedHeaders: r.allowedHeaders,
    ExposeHeaders: r.exposeHeaders,
    MaxAgeSeconds: r.maxAgeSeconds,
  }));
}

const upperFirst = (k: string) => (k === "id" ? "ID" : k.charAt(0).toUpperCase() + k.slice(1));

/** The inventory's spelling in S3's, all the way down: `noncurrentDays` → `NoncurrentDays`. */
function pascal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascal);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [upperFirst(k), pascal(v)]));
}

/** The inventory's lifecycle rules as PutBucketLifecycleConfiguration takes them (every object: `Filter: {}`). */
export const lifecycleToS3 = (rules: readonly LifecycleRule[]): S3LifecycleRule[] =>
  rules.map((r) => pascal({ ...r, filter: r.filter ?? {} }) as S3LifecycleRule);

/** `AllowedOrigins` → `allowedOrigins`, `ID` → `id`, all the way down: S3's shape in the inventory's spelling. */
export function camelFromS3(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelFromS3);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k === "ID" ? "id" : k.charAt(0).toLowerCase() + k.slice(1), camelFromS3(v)]),
  );
}

/** An S3 GetBucketLifecycleConfiguration rule in the inventory's spelling, with S3's empty filter dropped. */
export function lifecycleFromS3(rules: readonly unknown[]): unknown[] {
  return rules.map((rule) => {
    const r = camelFromS3(rule) as Record<string, unknown>;
    const filter = r.filter as Record<string, unknown> | undefined;
    // S3 answers "every object" as `Filter: {}` or `Filter: {Prefix: ""}`, or the legacy rule-level Prefix.
    if (filter !== undefined && (Object.keys(filter).length === 0 || (Object.keys(filter).length === 1 && filter.prefix === ""))) delete r.filter;
    if (typeof r.prefix === "string") {
      if (r.prefix !== "") r.filter = { prefix: r.prefix };
      delete r.prefix;
    }
    return r;
  });
}

/** CORS rules in the inventory's spelling, from GetBucketCors. */
export const corsFromS3 = (rules: readonly unknown[]): unknown[] => rules.map(camelFromS3);

const SET_LIKE = new Set(["Action", "NotAction", "Resource", "NotResource", "allowedOrigins", "allowedMethods", "allowedHeaders", "exposeHeaders"]);

function sortKeys(value: unknown, parentKey = ""): Json {
  if (Array.isArray(value)) {
    const items = value.map((v) => sortKeys(v));
    return SET_LIKE.has(parentKey) ? items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) : items;
  }
  if (value === null || typeof value !== "object") return value as Json;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, sortKeys(v, k)]),
  );
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/** A policy in one spelling: lists everywhere IAM takes one value or many, condition keys in lower case. */
export function canonicalPolicy(policy: BucketPolicy | Record<string, unknown>): Json {
  const p = policy as Record<string, unknown>;
  const statements = asList(p.Statement).map((raw) => {
    const s = { ...(raw as Record<string, unknown>) };
    for (const k of ["Action", "NotAction", "Resource", "NotResource"]) if (s[k] !== undefined) s[k] = asList(s[k]);
    for (const k of ["Principal", "NotPrincipal"])
      if (s[k] !== undefined && s[k] !== "*")
        s[k] = Object.fromEntries(Object.entries(s[k] as Record<string, unknown>).map(([t, v]) => [t, [...asList(v)].sort()]));
    if (s.Condition !== undefined)
      s.Condition = Object.fromEntries(
        Object.entries(s.Condition as Record<string, Record<string, unknown>>).map(([op, keys]) => [
          op,
          Object.fromEntries(Object.entries(keys).map(([k, v]) => [k.toLowerCase(), asList(v).map(String).sort()])),
        ]),
      );
    return sortKeys(s);
  });
  return sortKeys({ Version: p.Version ?? "2008-10-17", Id: p.Id, Statement: statements });
}

/** CORS rules keep their order (S3 uses the first rule that matches); lists within a rule do not. */
export const canonicalCors = (rules: readonly unknown[]): Json => sortKeys(rules);

/** Lifecycle rules are a set keyed by id. */
export function canonicalLifecycle(rules: readonly unknown[]): Json {
  const sorted = sortKeys(rules.map((r) => ({ status: "Enabled", ...(r as Record<string, unknown>) }))) as Json[];
  return sorted.sort((a, b) => (String((a as Record<string, Json>).id) < String((b as Record<string, Json>).id) ? -1 : 1));
}

/**
 * Where two canonical documents differ, as a person reads it: at most `max` places, each
 * `path: have …, want …` (`[0].allowedOrigins: […], want […]`).
 */
export function differences(want: Json, have: Json, max = 3, path = ""): string[] {
  if (JSON.stringify(want) === JSON.stringify(have)) return [];
  const bothObjects = want !== null && have !== null && typeof want === "object" && typeof have === "object" && Array.isArray(want) === Array.isArray(have);
  if (bothObjects && !(Array.isArray(want) && (want as Json[]).length !== (have as Json[]).length)) {
    const keys = [...new Set([...Object.keys(want), ...Object.keys(have)])].sort();
    const out: string[] = [];
    for (const k of keys) {
      const sub = Array.isArray(want) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
      const w = (want as Record<string, Json>)[k];
      const h = (have as Record<string, Json>)[k];
      out.push(...differences(w === undefined ? null : w, h === undefined ? null : h, max - out.length, sub));
      if (out.length >= max) break;
    }
    return out;
  }
  const show = (v: Json) => (v === null ? "absent" : JSON.stringify(v));
  return [`${path || "document"}: ${show(have)}, want ${show(want)}`];
}

export type { Json };

/** What the inventory (or the rebuild's config) expects of a bucket; absent: nothing recorded. */
export interface ExpectedBucketSettings {
  readonly policy?: BucketPolicy;
  readonly cors?: readonly CorsRule[];
  readonly lifecycle?: readonly LifecycleRule[];
  readonly logging?: { readonly targetBucket: string; readonly targetPrefix: string };
  readonly ownership?: string;
}

export interface LiveSettings {
  readonly policy?: Record<string, unknown>;
  readonly cors?: readonly unknown[];
  readonly lifecycle?: readonly unknown[];
  readonly logging?: { readonly targetBucket: string; readonly targetPrefix: string };
  readonly ownership?: string;
}

export const SETTING_NAMES = { policy: "bucket policy", cors: "CORS", lifecycle: "lifecycle rules", logging: "access logging", ownership: "object ownership" } as const;
export type SettingName = keyof typeof SETTING_NAMES;

/**
 * Each setting that differs, with where: `[0].allowedOrigins: […], want […]`. A setting the
 * expectation leaves out is compared too (S3 having one is a difference), except ownership,
 * which S3 always answers.
 */
export function settingDifferences(want: ExpectedBucketSettings, have: LiveSettings): Array<{ setting: SettingName; where: string[] }> {
  const strip = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null));
  const pairs: Array<[SettingName, Json, Json]> = [
    ["policy", want.policy ? canonicalPolicy(want.policy) : null, have.policy ? canonicalPolicy(have.policy) : null],
    ["cors", want.cors ? canonicalCors(strip(want.cors) as unknown[]) : null, have.cors ? canonicalCors(have.cors) : null],
    ["lifecycle", want.lifecycle ? canonicalLifecycle(strip(want.lifecycle) as unknown[]) : null, have.lifecycle ? canonicalLifecycle(have.lifecycle) : null],
    ["logging", want.logging ? sortKeys(want.logging) : null, have.logging ? sortKeys(have.logging) : null],
    ["ownership", want.ownership ?? null, want.ownership === undefined ? null : (have.ownership ?? null)],
  ];
  return pairs
    .map(([setting, w, h]) => ({ setting, where: differences(w, h) }))
    .filter((d) => d.where.length > 0);
}
