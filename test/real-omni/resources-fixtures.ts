import type { Message } from "@bufbuild/protobuf";
import type { GenMessage } from "@bufbuild/protobuf/codegenv2";
import { createClient } from "@connectrpc/connect";
import { SAMLLabelRuleSpecSchema } from "../../src/gen/omni/specs/auth_pb.js";
import { InfraProviderSpecSchema } from "../../src/gen/omni/specs/infra_pb.js";
import {
  EtcdBackupS3ConfSpecSchema,
  InfraMachineBMCConfigSpecSchema,
  InfraMachineConfigSpecSchema,
  RotateKubernetesCASpecSchema,
  RotateTalosCASpecSchema,
} from "../../src/gen/omni/specs/omni_pb.js";
import {
  DefaultJoinTokenSpecSchema,
  GRPCTunnelConfigSpecSchema,
} from "../../src/gen/omni/specs/siderolink_pb.js";
import { State } from "../../src/gen/v1alpha1/state_pb.js";
import {
  NotFoundError,
  type OmniClient,
  type Resource,
  type ResourceType,
  type TypedResourceType,
} from "../../src/index.js";

/**
 * A descriptor for a type the SDK ships none for, with its generated spec schema, so the test
 * reads typed specs back. The SDK's own descriptors are built the same way.
 */
function described<S extends Message>(
  type: string,
  namespace: string,
  schema: GenMessage<S>,
): TypedResourceType<S> {
  return { type, namespace, schema };
}

export const GRPCTunnelConfigs = described(
  "GRPCTunnelConfigs.omni.sidero.dev",
  "default",
  GRPCTunnelConfigSpecSchema,
);
export const EtcdBackupS3Configs = described(
  "EtcdBackupS3Configs.omni.sidero.dev",
  "default",
  EtcdBackupS3ConfSpecSchema,
);
export const RotateTalosCAs = described(
  "RotateTalosCAs.omni.sidero.dev",
  "default",
  RotateTalosCASpecSchema,
);
export const RotateKubernetesCAs = described(
  "RotateKubernetesCAs.omni.sidero.dev",
  "default",
  RotateKubernetesCASpecSchema,
);
export const InfraMachineConfigs = described(
  "InfraMachineConfigs.omni.sidero.dev",
  "default",
  InfraMachineConfigSpecSchema,
);
export const InfraMachineBMCConfigs = described(
  "InfraMachineBMCConfigs.omni.sidero.dev",
  "default",
  InfraMachineBMCConfigSpecSchema,
);
export const InfraProviders = described(
  "InfraProviders.omni.sidero.dev",
  "infra-provider",
  InfraProviderSpecSchema,
);
export const SAMLLabelRules = described(
  "SAMLLabelRules.omni.sidero.dev",
  "default",
  SAMLLabelRuleSpecSchema,
);
export const DefaultJoinTokens = described(
  "DefaultJoinTokens.omni.sidero.dev",
  "default",
  DefaultJoinTokenSpecSchema,
);

/** The generated COSI State client on the SDK's signed transport: no client-side write rules. */
export function rawState(omni: OmniClient) {
  return createClient(State, omni.transport);
}

/** Omni's "doesn't exist" message for a resource read or written by ID. */
export function missingMessage(type: ResourceType, id: string, prefix = ""): string {
  return `${prefix}resource ${type.type}(${type.namespace}/${id}@undefined) doesn't exist`;
}

/** Omni's validation failure text: a multierror list behind "failed to validate". */
export function validationMessage(...errors: string[]): string {
  const count = errors.length === 1 ? "1 error" : `${errors.length} errors`;
  return `failed to validate: ${count} occurred:\n${errors.map((e) => `\t* ${e}\n`).join("")}\n`;
}

/** The text of a PermissionDenied that Omni's state access check returns inside a validation. */
export function accessDenied(reason: string): string {
  return validationMessage(`rpc error: code = PermissionDenied desc = ${reason}`);
}

/**
 * Resolves once `id` is gone. On real Omni a user-owned resource that is tearing down is
 * destroyed by Omni itself as soon as its last finalizer goes, so a test waits for that rather
 * than destroying it.
 */
export async function untilDestroyed(
  omni: OmniClient,
  type: ResourceType,
  id: string,
): Promise<void> {
  const abort = new AbortController();
  try {
    for await (const event of omni.resources.watch(type, { id, signal: abort.signal })) {
      if (event.type === "destroyed") {
        return;
      }
    }
  } finally {
    abort.abort();
  }
}

/** Resolves with the resource once `accept` holds for its current or a later state. */
export async function untilState<S>(
  omni: OmniClient,
  type: ResourceType<S>,
  id: string,
  accept: (resource: Resource<S>) => boolean,
): Promise<Resource<S>> {
  const abort = new AbortController();
  try {
    for await (const event of omni.resources.watch(type, { id, signal: abort.signal })) {
      if ((event.type === "created" || event.type === "updated") && accept(event.resource)) {
        return event.resource;
      }
    }
  } finally {
    abort.abort();
  }
  throw new Error(`the watch of ${type.type} ${id} ended`);
}

/**
 * Removes a resource a test created, whatever state it is in: destroyed at once when nothing
 * holds it, otherwise torn down and left to Omni, which destroys it once its controllers let go.
 */
export async function removeCreated(
  omni: OmniClient,
  type: ResourceType,
  id: string,
): Promise<void> {
  try {
    if (await omni.resources.teardown(type, id)) {
      await omni.resources.destroy(type, id);
      return;
    }
    await untilDestroyed(omni, type, id);
  } catch (error) {
    if (!(error instanceof NotFoundError)) {
      throw error;
    }
  }
}
