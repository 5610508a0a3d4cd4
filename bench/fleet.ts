import { create, toBinary } from "@bufbuild/protobuf";
import type { CosiStore } from "../src/emulator/cosi/index.js";
import { MachineSpecSchema } from "../src/gen/omni/specs/omni_pb.js";
import { MetadataSchema, ResourceSchema, SpecSchema } from "../src/gen/v1alpha1/resource_pb.js";
import { Machines } from "../src/resources/registry.js";

/** Stores `count` Machines resources with realistic specs and labels (no YAML, like Omni's proto API). */
export function putMachines(store: CosiStore, count: number): void {
  for (let index = 0; index < count; index++) {
    const id = `00000000-0000-4000-a000-${index.toString(16).padStart(12, "0")}`;
    const spec = create(MachineSpecSchema, {
      managementAddress: `fdae:41e4:649b:9303::${index.toString(16)}`,
      connected: index % 10 !== 0,
      useGrpcTunnel: index % 2 === 0,
    });
    store.create(
      create(ResourceSchema, {
        metadata: create(MetadataSchema, {
          namespace: Machines.namespace,
          type: Machines.type,
          id,
          labels: {
            "omni.sidero.dev/region": ["eu-central", "us-east", "ap-south"][index % 3] ?? "",
            "omni.sidero.dev/arch": "amd64",
            "omni.sidero.dev/platform": "metal",
          },
        }),
        spec: create(SpecSchema, { protoSpec: toBinary(MachineSpecSchema, spec) }),
      }),
      { owner: "MachineController" },
    );
  }
}
