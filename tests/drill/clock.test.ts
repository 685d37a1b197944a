import assert from "node:assert/strict";
import { systemClock, virtualClock } from "../../drill/clock";

describe("the drill's one clock (drill/clock.ts)", () => {
  it("moves a virtual clock's time by what was slept, without waiting for it", async () => {
    const clock = virtualClock(Date.parse("2026-01-15T09:00:00Z"));
    await clock.sleep(90 * 60_000);
    assert.equal(new Date(clock.now()).toISOString(), "2026-01-15T10:30:00.000Z");
  });

  it("ends the system clock's sleep as soon as its signal aborts", async () => {
    const controller = new AbortController();
    const slept = systemClock.sleep(3_600_000, controller.signal);
    controller.abort("SIGINT");
    await slept;
  });

  it("ends the system clock's sleep at once when its signal was already aborted", async () => {
    await systemClock.sleep(3_600_000, AbortSignal.abort("SIGTERM"));
  });
});
