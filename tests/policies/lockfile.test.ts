import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/*
 * The pack is installed on its own (`cd policies && npm ci`) in a disaster: what it runs must be
 * what was reviewed, not whatever the registry serves that day.
 */
const REPO = join(__dirname, "..", "..");
interface Lock {
  lockfileVersion: number;
  packages: Record<string, { version?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> }>;
}
const read = <T>(path: string): T => JSON.parse(readFileSync(join(REPO, path), "utf8")) as T;
const pack = read<{ dependencies: Record<string, string>; devDependencies: Record<string, string> }>("policies/package.json");
const packLock = read<Lock>("policies/package-lock.json");
const projectLock = read<Lock>("package-lock.json");

describe("the policy pack's lockfile", () => {
  it("locks exactly the dependencies policies/package.json names", () => {
    assert.deepEqual(packLock.packages[""].dependencies, pack.dependencies);
    assert.deepEqual(packLock.packages[""].devDependencies, pack.devDependencies);
    for (const [name, version] of Object.entries({ ...pack.dependencies, ...pack.devDependencies })) {
      assert.equal(packLock.packages[`node_modules/${name}`]?.version, version, name);
    }
  });

  it("locks the same @pulumi/pulumi and @pulumi/policy as the program's lockfile", () => {
    for (const name of ["@pulumi/pulumi", "@pulumi/policy"]) {
      assert.equal(packLock.packages[`node_modules/${name}`]?.version, projectLock.packages[`node_modules/${name}`]?.version, name);
    }
  });

  it("is what the README installs, with npm ci", () => {
    const readme = readFileSync(join(REPO, "README.md"), "utf8");
    assert.match(readme, /cd policies && npm ci/);
    assert.doesNotMatch(readme, /cd policies && npm install/);
  });
});
