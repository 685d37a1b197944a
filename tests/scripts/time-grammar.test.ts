import { strict as assert } from "node:assert";
import { durationMs, isTimeoutDuration } from "../../scripts/lib/duration";
import { parseIsoTime } from "../../scripts/lib/iso-time";
import { restoreStackSchema } from "../../stacks";

// One grammar for times and one for durations: what the flags, the stack files and the
// components accept is decided in scripts/lib/iso-time.ts and scripts/lib/duration.ts only.

const base = { mode: "recovery", source: "prod", suffix: "recovery", deletionProtection: true, trafficCutover: true };
const schemaAcceptsTime = (t: string): boolean => restoreStackSchema.safeParse({ ...base, failureTime: t }).success;
const schemaAcceptsTimeout = (d: string): boolean => restoreStackSchema.safeParse({ ...base, timeouts: { database: { create: d } } }).success;

describe("parseIsoTime", () => {
  it("reads a time with seconds and a zone, with or without fractions", () => {
    assert.equal(parseIsoTime("2026-02-18T14:30:00Z")?.toISOString(), "2026-02-18T14:30:00.000Z");
    assert.equal(parseIsoTime("2026-02-18T16:30:00.250+02:00")?.toISOString(), "2026-02-18T14:30:00.250Z");
  });

  it("refuses a time without a zone, which would be read in the operator's local zone", () => {
    assert.equal(parseIsoTime("2026-02-18T14:30:00"), undefined);
  });

  it("refuses a day that does not exist instead of rolling it over", () => {
    assert.equal(parseIsoTime("2026-02-30T10:00:00Z"), undefined);
  });

  it("refuses words and dates without a time", () => {
    assert.equal(parseIsoTime("yesterday"), undefined);
    assert.equal(parseIsoTime("2026-02-18"), undefined);
  });

  it("accepts exactly what a stack file's times accept", () => {
    const samples = ["2026-02-18T14:30:00Z", "2026-02-18T14:30:00+01:00", "2026-02-18T14:30Z", "2026-02-18T14:30:00+0100", "2026-02-18 14:30:00Z", "2026-13-01T00:00:00Z"];
    for (const t of samples) assert.equal(parseIsoTime(t) !== undefined, schemaAcceptsTime(t), t);
  });
});

describe("durationMs", () => {
  it("reads every unit, and a bare number as seconds", () => {
    assert.deepEqual(["500ms", "30s", "5m", "2h", "30", "1.5s"].map(durationMs), [500, 30_000, 300_000, 7_200_000, 30_000, 1_500]);
  });

  it("refuses zero, negatives, unknown units and words", () => {
    assert.deepEqual(["0", "0s", "-5s", "5d", "soon", ""].map(durationMs), [undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});

describe("isTimeoutDuration", () => {
  it("takes a whole number with s, m or h, as Pulumi's customTimeouts do", () => {
    assert.deepEqual(["90m", "4h", "5400s"].map(isTimeoutDuration), [true, true, true]);
  });

  it("refuses a bare number, fractions and milliseconds, which customTimeouts would not read the same", () => {
    assert.deepEqual(["240", "1.5h", "500ms", "0m"].map(isTimeoutDuration), [false, false, false, false]);
  });

  it("is what a stack file's timeouts accept", () => {
    for (const d of ["90m", "4h", "240", "1.5h", "500ms", "0m"]) assert.equal(isTimeoutDuration(d), schemaAcceptsTimeout(d), d);
  });

  it("measures a timeout with the same grammar as the flags", () => {
    assert.equal(durationMs("4h"), 4 * 3_600_000);
    assert.equal(durationMs("90m"), 90 * 60_000);
  });
});
