import { create } from "@bufbuild/protobuf";
import { type Client, Code, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { typeRule } from "../../src/emulator/cosi/access-rules.js";
import { type OmniEmulator, startOmniEmulator } from "../../src/emulator/index.js";
import { MetadataSchema, ResourceSchema, SpecSchema } from "../../src/gen/v1alpha1/resource_pb.js";
import { State } from "../../src/gen/v1alpha1/state_pb.js";
import {
  all,
  fullType,
  probeVerbs,
  realOmniVerbs,
  type Verb,
} from "../real-omni/write-rules-v1.9.3.js";
import { rejection, serviceAccountSigner, signingInterceptor, transportFor } from "./support.js";

/**
 * The emulator's per-type access rules are its own table, taken from Omni v1.9.3's state access
 * filter; these are the answers real v1.9.3 gave an Admin, recorded by
 * test/real-omni/resources-write-rules.test.ts.
 */
const jwtPublicKeys: [string, string, readonly Verb[]] = [
  "JWTPublicKeys.system.sidero.dev",
  "oidc",
  [],
];
const facts = [
  ...realOmniVerbs.map(([name, namespace, verbs]) => [fullType(name), namespace, verbs] as const),
  jwtPublicKeys,
];

/** Omni's validated state reports an access refusal as a one-error multierror. */
const accessDenied = (reason: string) =>
  `failed to validate: 1 error occurred:\n\t* rpc error: code = PermissionDenied desc = ${reason}\n\n`;

let emulator: OmniEmulator;
let state: Client<typeof State>;

beforeAll(async () => {
  emulator = await startOmniEmulator({ seed: 5, simulation: false });
  const signer = await serviceAccountSigner(emulator.keys.admin);
  state = createClient(State, transportFor(emulator, "grpc", [signingInterceptor(signer)]));
});
afterAll(() => emulator.close());

describe("the emulator's access rules (Omni v1.9.3)", () => {
  it.each(facts)("%s (%s) allows exactly %j", (type, namespace, verbs) => {
    expect(typeRule(type, namespace).verbs).toEqual(verbs);
  });

  it.each(facts)(
    "the served State gives an Admin exactly that on %s",
    async (type, namespace, verbs) => {
      expect(await probeVerbs(state, type, namespace, "emulator-absent-1700000000")).toEqual(verbs);
    },
  );

  it("leaves a provider's own namespace to the infra-provider state", () => {
    expect(typeRule("Machines.omni.sidero.dev", "infra-provider:aws").verbs).toEqual(all);
    expect(typeRule("MachineRequests.omni.sidero.dev", "infra-provider").verbs).toEqual(all);
  });

  it("gives no access to a type Omni does not define", () => {
    expect(typeRule("Nothings.omni.sidero.dev", "default").verbs).toEqual([]);
  });

  it("refuses with Omni's reasons", async () => {
    const missing = { namespace: "default", id: "emulator-absent" };
    const refusals: Array<[string, () => Promise<unknown>]> = [
      [
        "only read and delete access is permitted",
        () =>
          state.update({
            newResource: create(ResourceSchema, {
              metadata: create(MetadataSchema, {
                ...missing,
                type: "Links.omni.sidero.dev",
                version: "1",
                phase: "running",
              }),
              spec: create(SpecSchema, {}),
            }),
          }),
      ],
      [
        "only create and destroy access is permitted for imported cluster secrets",
        () => state.get({ ...missing, type: "ImportedClusterSecrets.omni.sidero.dev" }),
      ],
      [
        "only read and create access is permitted for EULA acceptance",
        () => state.destroy({ ...missing, type: "EulaAcceptances.omni.sidero.dev" }),
      ],
      [
        "only read access is permitted",
        () => state.destroy({ ...missing, type: "Machines.omni.sidero.dev" }),
      ],
      [
        "no access is permitted",
        () => state.get({ ...missing, type: "Kubeconfigs.omni.sidero.dev" }),
      ],
    ];
    for (const [reason, call] of refusals) {
      const error = await rejection(call());
      expect(error.code, reason).toBe(Code.PermissionDenied);
      expect(error.rawMessage, reason).toBe(accessDenied(reason));
    }
  });
});
