import { strict as assert } from "node:assert";
import { TYPES } from "../../policies/resources";
import { credentialsAreSecret } from "../../policies/secrets";
import { gatewayLast, servicesHaveProbes } from "../../policies/services";
import { drillIsolated } from "../../policies/stack";
import {
  createResourceValidationArgs as args,
  policyResource,
  resourceViolations as check,
  stackViolations,
  withProp,
} from "../support/policy-args";

const deployment = (name: string) => ({
  metadata: { name, namespace: "lomash-wood-drill" },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          {
            name,
            image: `registry/${name}:1`,
            readinessProbe: { httpGet: { path: "/health", port: 3000 } },
            livenessProbe: { httpGet: { path: "/health", port: 3000 } },
          },
        ],
      },
    },
  },
});

describe("policies: secrets, services and the stack", () => {
  describe("credentials-are-secret", () => {
    const secretOpts = { additionalSecretOutputs: ["data", "stringData"] };
    it("passes a Kubernetes Secret whose data is marked secret", async () => {
      assert.deepEqual(await check(credentialsAreSecret, args(TYPES.k8sSecret, { stringData: { JWT_SECRET: "x" } }, {}, secretOpts)), []);
    });
    it("refuses a Kubernetes Secret whose stringData is not marked secret", async () => {
      assert.deepEqual(await check(credentialsAreSecret, args(TYPES.k8sSecret, { stringData: { JWT_SECRET: "x" } })), [
        'Kubernetes Secret stringData must be a Pulumi secret: add "stringData" to additionalSecretOutputs and wrap values in pulumi.secret',
      ]);
    });
    it("refuses a database password that is not marked secret", async () => {
      assert.deepEqual(await check(credentialsAreSecret, args(TYPES.rdsInstance, { password: "x" })), [
        'a database password must be a Pulumi secret: add "password" to additionalSecretOutputs',
      ]);
    });
    it("passes a database that sets no password (restored databases keep the source's)", async () => {
      assert.deepEqual(await check(credentialsAreSecret, args(TYPES.rdsInstance, { identifier: "x" })), []);
    });
  });

  describe("services-have-probes", () => {
    it("passes a Deployment with both probes", async () => {
      assert.deepEqual(await check(servicesHaveProbes, args(TYPES.deployment, deployment("auth"))), []);
    });
    it("refuses a container without a readiness probe", async () => {
      const props = withProp(deployment("auth"), "spec.template.spec.containers", [{ name: "auth", livenessProbe: {} }]);
      assert.deepEqual(await check(servicesHaveProbes, args(TYPES.deployment, props)), ["container auth must have a readinessProbe on its health path"]);
    });
    it("refuses a container without a liveness probe", async () => {
      const props = withProp(deployment("auth"), "spec.template.spec.containers", [{ name: "auth", readinessProbe: {} }]);
      assert.deepEqual(await check(servicesHaveProbes, args(TYPES.deployment, props)), ["container auth must have a livenessProbe on its health path"]);
    });
    it("refuses a Deployment with no containers", async () => {
      const props = withProp(deployment("auth"), "spec.template.spec.containers", undefined);
      assert.deepEqual(await check(servicesHaveProbes, args(TYPES.deployment, props)), ["a Deployment must have at least one container"]);
    });
  });

  describe("gateway-last", () => {
    const auth = policyResource(TYPES.deployment, "service-auth-deployment", deployment("auth"));
    const orders = policyResource(TYPES.deployment, "service-orders-deployment", deployment("orders"));
    const config = { gatewayDeployment: "service-api-gateway-deployment" };
    it("passes a gateway that waits for every other Deployment", async () => {
      const gw = policyResource(TYPES.deployment, "service-api-gateway-deployment", deployment("gw"), { dependencies: [auth, orders] });
      assert.deepEqual(await stackViolations(gatewayLast, [auth, orders, gw], config), []);
    });
    it("passes a gateway whose component waits for the other Deployments", async () => {
      const component = policyResource("recovery:services:ServiceRedeployment", "service-api-gateway", {}, { dependencies: [auth, orders] });
      const gw = { ...policyResource(TYPES.deployment, "service-api-gateway-deployment", deployment("gw")), parent: component };
      assert.deepEqual(await stackViolations(gatewayLast, [auth, orders, component, gw], config), []);
    });
    it("refuses a gateway that does not wait for one service", async () => {
      const gw = policyResource(TYPES.deployment, "service-api-gateway-deployment", deployment("gw"), { dependencies: [auth] });
      assert.deepEqual(await stackViolations(gatewayLast, [auth, orders, gw], config), [
        "the gateway Deployment must depend on every other Deployment; it does not wait for service-orders-deployment",
      ]);
    });
    it("refuses a stack whose gateway Deployment is missing", async () => {
      assert.deepEqual(await stackViolations(gatewayLast, [auth, orders], config), [
        'the gateway Deployment "service-api-gateway-deployment" was not found; set gatewayDeployment in the pack config',
      ]);
    });
  });

  describe("drill-isolated", () => {
    const config = { protectedNames: ["lomash-orders-prod", "lomash-orders-prod-recovery", "lomash-wood", "lomash-wood-recovery"] };
    it("passes a drill with names of its own and no traffic", async () => {
      const db = policyResource(TYPES.rdsInstance, "database-orders-db", { identifier: "lomash-orders-prod-drill" });
      assert.deepEqual(await stackViolations(drillIsolated, [db, policyResource(TYPES.deployment, "svc", deployment("auth"))], config), []);
    });
    it("refuses a drill database named like the recovery stack's", async () => {
      const db = policyResource(TYPES.rdsInstance, "database-orders-db", { identifier: "lomash-orders-prod-recovery" });
      assert.deepEqual(await stackViolations(drillIsolated, [db], config), [
        'database-orders-db: identifier "lomash-orders-prod-recovery" belongs to production or the recovery stack; a drill uses names of its own',
      ]);
    });
    it("refuses a drill deploying into the recovery namespace", async () => {
      const d = policyResource(TYPES.deployment, "svc", withProp(deployment("auth"), "metadata.namespace", "lomash-wood-recovery"));
      assert.equal((await stackViolations(drillIsolated, [d], config)).length, 1);
    });
    it("reports its missing config instead of passing while checking nothing", async () => {
      const db = policyResource(TYPES.rdsInstance, "database-orders-db", { identifier: "lomash-orders-prod-recovery" });
      assert.deepEqual(await stackViolations(drillIsolated, [db], {}), [
        "protectedNames is not in the pack config, so nothing could be checked; pass --policy-pack-config policies/config/<stack>.json (npm run policy:config writes it)",
      ]);
    });
    it("refuses a drill with a traffic cutover", async () => {
      const ingress = policyResource(TYPES.ingress, "traffic-api-gateway-ingress", { metadata: { name: "gw", namespace: "lomash-wood-drill" } });
      assert.deepEqual(await stackViolations(drillIsolated, [ingress], config), [
        "traffic-api-gateway-ingress: a drill never takes traffic; remove the traffic cutover (trafficCutover: false)",
      ]);
    });
  });
});
