import type { HandlerContext } from "@connectrpc/connect";
import { callerWithRole, signedCaller } from "./caller.js";
import type { CosiAccess, CosiVerb } from "./cosi/index.js";
import type { Role } from "./roles.js";

/** Types whose every verb needs Admin (`filterAccess` in Omni's state access). */
const adminTypes = new Set([
  "Identities.omni.sidero.dev",
  "Users.omni.sidero.dev",
  "AccessPolicies.omni.sidero.dev",
  "SAMLLabelRules.omni.sidero.dev",
  "EtcdBackupS3Configs.omni.sidero.dev",
  "InfraProviders.omni.sidero.dev",
  "InfraMachineBMCConfigs.omni.sidero.dev",
  "JWTPublicKeys.omni.sidero.dev",
]);

/** Catalogue and virtual types: reading them needs only a valid signature. */
const signatureOnlyReadTypes = new Set([
  "TalosVersions.omni.sidero.dev",
  "KubernetesVersions.omni.sidero.dev",
  "CurrentUsers.omni.sidero.dev",
  "Permissions.omni.sidero.dev",
  "ClusterPermissions.omni.sidero.dev",
  "SysVersions.system.sidero.dev",
  "Features.omni.sidero.dev",
  "InstallationMedias.omni.sidero.dev",
  "LabelsCompletions.omni.sidero.dev",
]);

const readVerbs: ReadonlySet<CosiVerb> = new Set(["get", "list", "watch"]);

function requiredRole(verb: CosiVerb, type: string): Role | undefined {
  if (adminTypes.has(type)) {
    return "Admin";
  }
  if (readVerbs.has(verb)) {
    return signatureOnlyReadTypes.has(type) ? undefined : "Reader";
  }
  return "Operator";
}

/** COSI access by the caller's role; the per-type verb rules are enforced by the COSI state itself. */
export const roleBasedCosiAccess: CosiAccess = {
  check(context: HandlerContext, verb: CosiVerb, type: string): void {
    const role = requiredRole(verb, type);
    if (role === undefined) {
      signedCaller(context);
      return;
    }
    callerWithRole(context, role);
  },
};
