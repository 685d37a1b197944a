import { strict as assert } from "node:assert";
import { formatBytes, formatBytesIn } from "../../scripts/lib/bytes";
import { tableLines } from "../../scripts/lib/table";

describe("the kit's byte formatter", () => {
  it("prints counts under 1024 as bytes, unscaled", () => {
    assert.equal(formatBytes(1023), "1023 B");
  });

  it("scales to the largest binary unit under 1024, with one decimal", () => {
    assert.deepEqual([formatBytes(1024), formatBytes(3.5 * 2 ** 20), formatBytes(2 ** 40 * 2048)], ["1.0 KiB", "3.5 MiB", "2048.0 TiB"]);
  });

  it("prints a fixed unit with the digits asked for, 2^20 bytes to the MB as the scripts always have", () => {
    assert.deepEqual([formatBytesIn(75_816_960, "MB"), formatBytesIn(314_572_800, "MB", 0), formatBytesIn(4 * 2 ** 30, "GB")], ["72.3 MB", "300 MB", "4.0 GB"]);
  });
});

describe("the kit's table renderer", () => {
  it("pads every column to its widest cell, header included, and leaves the last one unpadded", () => {
    assert.deepEqual(tableLines([["ITEM", "STATUS"], ["database:orders", "ok"], ["x", "fail"]]), [
      "ITEM             STATUS",
      "database:orders  ok",
      "x                fail",
    ]);
  });

  it("right-aligns a column asked for, the last one too", () => {
    assert.deepEqual(tableLines([["kind", "create"], ["total", "12"]], { columns: [{}, { align: "right" }] }), ["kind   create", "total      12"]);
  });

  it("keeps a column at its least width when every cell is shorter", () => {
    assert.deepEqual(tableLines([["held", "a"]], { columns: [{ minWidth: 8 }] }), ["held      a"]);
  });

  it("writes the indent and gap given, and drops trailing blanks only when asked", () => {
    const rows = [["a", "b", ""], ["ccc", "d", ""]];
    assert.deepEqual(tableLines(rows, { indent: "  ", gap: " " }), ["  a   b ", "  ccc d "]);
    assert.deepEqual(tableLines(rows, { indent: "  ", gap: " ", trimEnd: true }), ["  a   b", "  ccc d"]);
  });
});
