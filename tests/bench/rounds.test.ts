import { strict as assert } from "node:assert";
import {
  claimLine,
  interleaved,
  interval,
  machineLoad,
  medianRank,
  ratios,
  rotated,
  spread,
  spreadLine,
  verdict,
} from "../../bench/lib/rounds";

const times = (v: number): string => `${v.toFixed(2)}×`;
/** 20 rounds: 1..20. The 95 % interval of the median for n = 20 runs from the 6th to the 15th. */
const growth = "growth per 10× services";
const underTarget = { op: "<=", value: 13.3 } as const;
const twenty = Array.from({ length: 20 }, (_, i) => i + 1);

describe("bench/lib/rounds: the rounds kit", () => {
  describe("spread", () => {
    it("reports min, median, max and count of unsorted samples", () => {
      assert.deepEqual(spread([5, 1, 3]), { min: 1, median: 3, max: 5, n: 3 });
    });

    it("takes the mean of the middle two samples as the median of an even count", () => {
      assert.deepEqual(spread([4, 1, 3, 2]), { min: 1, median: 2.5, max: 4, n: 4 });
    });

    it("refuses an empty sample set", () => {
      assert.throws(() => spread([]), {
        name: "RangeError",
        message: "no samples: measure at least one round",
      });
    });

    it("refuses a sample that is not a finite number", () => {
      assert.throws(() => spread([1, Number.NaN]), {
        name: "RangeError",
        message: "a sample is NaN: every round must measure a finite number",
      });
    });
  });

  describe("interval", () => {
    it("is min–max for 5 rounds, where no inner rank reaches 95 %", () => {
      assert.deepEqual(interval([9, 1, 5, 3, 7]), { lo: 1, hi: 9, confidence: 1 - 2 / 32 });
    });

    it("drops the outermost rounds once there are enough: 6th to 15th of 20", () => {
      const { lo, hi, confidence } = interval(twenty);
      assert.deepEqual({ lo, hi }, { lo: 6, hi: 15 });
      assert.ok(confidence >= 0.95 && confidence < 0.96, `confidence ${confidence}`);
    });

    it("uses the tabulated ranks of the 95 % interval of the median (n 6, 10, 20, 50, 100)", () => {
      // Conover, Practical Nonparametric Statistics: lower ranks 1, 2, 6, 18, 40.
      assert.deepEqual([6, 10, 20, 50, 100].map((n) => medianRank(n).k), [1, 2, 6, 18, 40]);
    });

    it("covers the median with at least 95 % from 6 rounds on", () => {
      for (const n of [6, 7, 10, 20, 50, 100, 1000]) {
        assert.ok(medianRank(n).confidence >= 0.95, `n ${n}: ${medianRank(n).confidence}`);
      }
    });

    it("is not moved by one outlying round among 20", () => {
      const withBurst = [...twenty.slice(0, 19), 1000];
      assert.deepEqual(
        { lo: interval(withBurst).lo, hi: interval(withBurst).hi },
        { lo: interval(twenty).lo, hi: interval(twenty).hi },
      );
    });
  });

  describe("ratios", () => {
    it("divides the two contenders round by round", () => {
      assert.deepEqual(ratios([10, 30, 8], [5, 10, 4]), [2, 3, 2]);
    });

    it("refuses samples from different numbers of rounds", () => {
      assert.throws(() => ratios([1, 2], [1]), {
        name: "RangeError",
        message: "ratios of 2 and 1 samples: measure both in the same rounds",
      });
    });
  });

  describe("verdict", () => {
    it("is met when the whole interval lies under a <= target", () => {
      assert.equal(verdict(twenty, { op: "<=", value: 15 }), "met");
    });

    it("is missed when the whole interval lies over a <= target", () => {
      assert.equal(verdict(twenty, { op: "<=", value: 5.9 }), "missed");
    });

    it("is inconclusive when the interval crosses a <= target", () => {
      assert.equal(verdict(twenty, { op: "<=", value: 14.9 }), "inconclusive");
    });

    it("is met when the whole interval lies over a >= target", () => {
      assert.equal(verdict(twenty, { op: ">=", value: 6 }), "met");
    });

    it("is missed when the whole interval lies under a >= target", () => {
      assert.equal(verdict(twenty, { op: ">=", value: 15.1 }), "missed");
    });

    it("is inconclusive when the interval crosses a >= target", () => {
      assert.equal(verdict(twenty, { op: ">=", value: 10 }), "inconclusive");
    });
  });

  describe("claimLine", () => {
    it("quotes the median, the target, the interval, the rounds and the verdict", () => {
      assert.equal(
        claimLine(growth, [9, 10, 11, 12, 13], underTarget, times),
        "claim: growth per 10× services: 11.00× (target <= 13.30×) spread 9.00×–13.00× " +
          "over 5 rounds: met",
      );
    });

    it("says inconclusive when the spread crosses the target", () => {
      assert.equal(
        claimLine(growth, [9, 10, 11, 12, 14], underTarget, times),
        "claim: growth per 10× services: 11.00× (target <= 13.30×) spread 9.00×–14.00× " +
          "over 5 rounds: inconclusive",
      );
    });
  });

  it("spreadLine prints a contender's median with its raw min and max", () => {
    assert.equal(
      spreadLine("plan 10,000", [3, 1, 2], times),
      "plan 10,000: 2.00× (min 1.00×, max 3.00×, n 3)",
    );
  });

  describe("interleaved", () => {
    it("rotates the order by one contender per round", () => {
      const orders = [0, 1, 2, 3].map((r) => rotated(["a", "b", "c"], r).join(""));
      assert.deepEqual(orders, ["abc", "bca", "cab", "abc"]);
    });

    it("runs warm-ups untimed, then each contender once per timed round, rotated", async () => {
      const calls: string[] = [];
      let clock = 0;
      const contender = (name: string) => async (): Promise<number> => {
        calls.push(name);
        return ++clock;
      };
      const progress: number[] = [];
      const results = await interleaved(
        { a: contender("a"), b: contender("b"), c: contender("c") },
        { rounds: 2, warmup: 1, onRound: (r) => progress.push(r) },
      );
      assert.deepEqual(calls.join(""), "abc" + "bca" + "cab");
      assert.deepEqual(results, { a: [6, 8], b: [4, 9], c: [5, 7] });
      assert.deepEqual(progress, [1, 2]);
    });

    it("refuses a number of rounds that is not a whole number of at least 1", async () => {
      await assert.rejects(interleaved({ a: async () => 1 }, { rounds: 0 }), {
        name: "RangeError",
        message: "rounds must be a whole number ≥ 1, got 0",
      });
    });
  });

  it("machineLoad names the three load averages and the cores", () => {
    const load = /^load \d+\.\d\d \d+\.\d\d \d+\.\d\d \(1\/5\/15 min\) on \d+ cores$/;
    assert.match(machineLoad(), load);
  });
});
