// The CrossGuard pack: `pulumi preview --stack recovery --policy-pack policies
//   --policy-pack-config policies/config/recovery.json`.
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, resourcePolicies, stackPolicies } from "./all";

new PolicyPack(PACK_NAME, {
  policies: [...resourcePolicies, ...stackPolicies],
});
