import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { DEFAULT_WORKER_IMAGE, WORKER_IMAGE_REPOSITORY } from "../../components/kubernetes-job";
import { loadInventory, readStackConfig } from "../../stacks";
import { parseImageReference, unpinnedImageProblem } from "../../stacks/image-reference";
import { dockerfileArgs, inventoryMajors, ROOT } from "./podman";

const packageJson = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe("the worker image reference is pinned", () => {
  it("accepts a version tag, a git commit id and a sha256 digest", () => {
    for (const ref of [
      "123456789012.dkr.ecr.eu-west-2.amazonaws.com/lomash-wood/recovery-stacks:0.1.0",
      "ghcr.io/lomash-wood/recovery-stacks:v1.2.3-rc.1",
      "localhost:5000/recovery-stacks:2026.11.3",
      "ghcr.io/lomash-wood/recovery-stacks:4f2a9c1e",
      `ghcr.io/lomash-wood/recovery-stacks@sha256:${"ab".repeat(32)}`,
      `ghcr.io/lomash-wood/recovery-stacks:0.1.0@sha256:${"0".repeat(64)}`,
    ])
      assert.equal(unpinnedImageProblem(ref), undefined, ref);
  });

  it("refuses latest, no tag, a branch name and a malformed reference, each with the fix", () => {
    const repo = "ghcr.io/lomash-wood/recovery-stacks";
    const fix = `pin it with a version tag (${repo}:<version>) or a digest (${repo}@sha256:<64 hex digits>); a recovery must run the code that was reviewed`;
    assert.equal(unpinnedImageProblem(`${repo}:latest`), `uses the moving tag "latest"; ${fix}`);
    assert.equal(unpinnedImageProblem(repo), `has no tag or digest, so the cluster would pull whatever was pushed last; ${fix}`);
    assert.equal(unpinnedImageProblem(`${repo}:stable`), `has the tag "stable", which is not a version and can move; ${fix}`);
    assert.equal(
      unpinnedImageProblem("Recovery Stacks"),
      "is not an image reference; write it as <registry>/<repository>:<version> or <registry>/<repository>@sha256:<64 hex digits>",
    );
  });

  it("defaults to this package.json version's tag in the ECR repository the workflow pushes to", () => {
    assert.equal(DEFAULT_WORKER_IMAGE, `123456789012.dkr.ecr.eu-west-2.amazonaws.com/lomash-wood/recovery-stacks:${packageJson.version}`);
    assert.equal(unpinnedImageProblem(DEFAULT_WORKER_IMAGE), undefined);
    const workflow = readFileSync(join(ROOT, ".github", "workflows", "worker-image.yml"), "utf8");
    assert.ok(workflow.includes("lomash-wood/recovery-stacks"), "the workflow pushes to the repository the default names");
    assert.ok(WORKER_IMAGE_REPOSITORY.endsWith("/lomash-wood/recovery-stacks"));
  });

  it("the example recovery stack pins the image of this version", () => {
    const image = String(readStackConfig("recovery", ROOT)["recovery:workerImage"]);
    assert.equal(parseImageReference(image)?.tag, packageJson.version);
  });

  it("the drill CronJob runs the drill image of this version, not a moving tag", () => {
    const docs = readFileSync(join(ROOT, "k8s", "cronjob", "quarterly-drill.yaml"), "utf8")
      .split(/^---$/m)
      .map((d) => parse(d) as { kind?: string; spec?: { jobTemplate?: { spec: { template: { spec: { containers: { image: string }[] } } } } } });
    const cron = docs.find((d) => d.kind === "CronJob");
    const image = cron?.spec?.jobTemplate?.spec.template.spec.containers[0].image;
    assert.equal(image, `${WORKER_IMAGE_REPOSITORY}:drill-${packageJson.version}`);
  });
});

describe("the Dockerfile", () => {
  const args = dockerfileArgs();
  const text = readFileSync(join(ROOT, "Dockerfile"), "utf8");

  it("installs the PostgreSQL client of every major the inventory's databases run", () => {
    const majors = inventoryMajors(loadInventory("prod", ROOT).databases);
    assert.ok(majors.length > 0);
    assert.deepEqual(args.PG_MAJORS.split(/\s+/).map(Number), majors);
  });

  it("builds on Node 22 LTS and the Pulumi image of the @pulumi/pulumi release in package.json, both pinned", () => {
    assert.match(args.NODE_IMAGE, /^docker\.io\/library\/node:22\.\d+\.\d+-bookworm-slim$/);
    assert.equal(args.PULUMI_IMAGE, `docker.io/pulumi/pulumi-nodejs-22:${packageJson.dependencies["@pulumi/pulumi"]}`);
  });

  it("installs the Pulumi resource plugins of the providers in package.json", () => {
    const plugins = Object.fromEntries(args.PULUMI_PLUGINS.split(",").map((p) => p.trim().split(" ") as [string, string]));
    assert.deepEqual(plugins, {
      aws: packageJson.dependencies["@pulumi/aws"],
      kubernetes: packageJson.dependencies["@pulumi/kubernetes"],
      random: packageJson.dependencies["@pulumi/random"],
    });
  });

  it("takes the RDS CA bundle from AWS's global trust store by default", () => {
    assert.equal(args.RDS_CA_URL, "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem");
    assert.match(text, /^ADD \$\{RDS_CA_URL\} \/etc\/ssl\/certs\/rds-global-bundle\.pem$/m);
  });

  it("has tsx, which every Job and the drill start with, among the production dependencies", () => {
    assert.ok(packageJson.dependencies.tsx, "tsx is a dependency");
    assert.equal(packageJson.devDependencies.tsx, undefined);
    const cron = readFileSync(join(ROOT, "k8s", "cronjob", "quarterly-drill.yaml"), "utf8");
    assert.match(cron, /command: \["node", "--require", "tsx\/cjs"/);
  });

  it("installs only production dependencies and runs as a non-root user in both targets", () => {
    assert.equal(text.match(/npm ci --omit=dev --ignore-scripts/g)?.length, 2);
    assert.equal(text.match(/^USER 10001$/gm)?.length, 2);
  });
});
