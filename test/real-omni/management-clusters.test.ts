import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  InvalidArgumentError,
  NotFoundError,
  OmniError,
  UnimplementedError,
} from "../../src/index.js";
import { drain, realClient, transportNames, uniqueName } from "./harness.js";
import { expectOmniError } from "./management-expect.js";

// An empty zip: the end-of-central-directory record alone.
const emptyZip = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
describe.each(transportNames)("management without machines, on real Omni over %s", (transport) => {
  const omni = () => realClient(transport);

  it("machine logs of an unknown machine: NotFoundError naming its log store", async () => {
    const { management } = omni();
    const machineId = uniqueName("no-such-machine");
    const message = `failed to get log store for machine "${machineId}": log store not found: ${machineId}`;
    await expectOmniError(
      management.machineLogs({ machineId }),
      NotFoundError,
      Code.NotFound,
      message,
    );
    await expectOmniError(
      management.machineLogLines({ machineId, follow: true, tailLines: 10 }),
      NotFoundError,
      Code.NotFound,
      message,
    );
  });

  it("every call about one machine answers NotFoundError 'machine not found'", async () => {
    const { management } = omni();
    const machineId = uniqueName("no-such-machine");
    const calls = [
      () => management.maintenanceUpgrade({ machineId, version: "1.10.0" }),
      () => management.maintenanceLifecycle({ machineId, operation: "install", disk: "/dev/sda" }),
      () => management.maintenanceLifecycle({ machineId, operation: "upgrade", version: "1.10.0" }),
      () => management.resetNodeUniqueToken({ id: machineId }),
      () => management.machinePowerOff({ machineId }),
      () => management.machinePowerOn({ machineId }),
    ];
    for (const call of calls) {
      await expectOmniError(call, NotFoundError, Code.NotFound, "machine not found");
    }
  });

  it("Kubernetes calls on an unknown cluster fail with code Unknown, not NotFound", async () => {
    const { management } = omni();
    const cluster = uniqueName("no-such-cluster");
    await expectOmniError(
      management.kubernetesUpgradePreChecks({ cluster, newVersion: "1.31.2" }),
      OmniError,
      Code.Unknown,
      `failed to get: resource KubernetesUpgradeStatuses.omni.sidero.dev(default/${cluster}@undefined) doesn't exist`,
    );
    for (const dryRun of [true, false]) {
      await expectOmniError(
        management.kubernetesSyncManifests({ cluster, dryRun }),
        OmniError,
        Code.Unknown,
        `failed to get kubeconfig: kubeconfig for cluster ${cluster} is not found`,
      );
    }
  });

  it("a support bundle of an unknown cluster reports the failure and holds an empty zip", async () => {
    const cluster = uniqueName("no-such-cluster");
    expect(await drain(omni().management.getSupportBundle({ cluster }))).toEqual([
      {
        type: "progress",
        source: "cluster",
        state: "",
        error: `failed to get kubernetes client kubeconfig for cluster ${cluster} is not found`,
        value: 0,
        total: 0,
        percent: 0,
      },
      { type: "data", bytes: emptyZip },
    ]);
  });

  it("an encrypted support bundle is newer than v1.9.3: UnimplementedError, no plain bytes", async () => {
    const { management } = omni();
    const cluster = uniqueName("no-such-cluster");
    // Over binary protobuf Omni drops `encrypt` and sends a plain zip, which the SDK holds back;
    // its gateway refuses the unknown field. Either way the caller hears the same.
    const received: unknown[] = [];
    const error = await expectOmniError(
      async () => {
        for await (const event of management.getSupportBundle({ cluster, encrypt: true })) {
          received.push(event);
        }
      },
      UnimplementedError,
      Code.Unimplemented,
      transport === "gateway"
        ? "this Omni cannot encrypt support bundles: it refused the encryption options"
        : "this Omni cannot encrypt support bundles: it sent the bundle unencrypted",
    );
    expect(error.method).toBe("/management.ManagementService/GetSupportBundle");
    expect(received.every((event) => (event as { type: string }).type !== "data")).toBe(true);
  });

  it("a schematic carries the join kernel args, extensions and META; the YAML stays secret", async () => {
    const { management } = omni();
    const joinArgs = (await management.getMachineJoinConfig()).kernelArgs;
    const schematic = await management.createSchematic({
      extensions: ["siderolabs/iscsi-tools"],
      extraKernelArgs: ["console=ttyS0"],
      metaValues: { 10: "rack-7" },
      talosVersion: "1.12.8",
    });
    // The factory derives the ID from the schematic's content (the stand-in as the real one does).
    expect(schematic.id).toMatch(/^[0-9a-f]{64}$/);
    // v1.9.3 sends no PXE URL any more.
    expect(schematic.pxeUrl).toBe("");
    expect(schematic.grpcTunnelEnabled).toBe(false);
    expect(parse(schematic.yaml)).toEqual({
      customization: {
        extraKernelArgs: [...joinArgs, "console=ttyS0"],
        meta: [{ key: 10, value: "rack-7" }],
        systemExtensions: { officialExtensions: ["siderolabs/iscsi-tools"] },
      },
    });
    expect(JSON.stringify(schematic)).not.toContain("jointoken");

    const tunnelled = await management.createSchematic({ siderolinkGrpcTunnelMode: "enabled" });
    expect(tunnelled.grpcTunnelEnabled).toBe(true);
    expect(tunnelled.yaml).toContain("?grpc_tunnel=true&jointoken=");
  });

  it("a raw schematic is registered as given: same content, same ID, and no YAML back", async () => {
    const { management } = omni();
    const rawSchematic = `customization:\n  extraKernelArgs:\n    - ${uniqueName("mark")}=1\n`;
    const first = await management.createSchematicFromRaw({ rawSchematic });
    const again = await management.createSchematicFromRaw({ rawSchematic });
    expect(first.id).toMatch(/^[0-9a-f]{64}$/);
    expect(again.id).toBe(first.id);
    expect(first.yaml).toBe("");
  });

  it("an unknown installation media fails with code Unknown", async () => {
    await expectOmniError(
      omni().management.createSchematic({ mediaId: "no-such-media" }),
      OmniError,
      Code.Unknown,
      "resource InstallationMedias.omni.sidero.dev(ephemeral/no-such-media@undefined) doesn't exist",
    );
  });

  it("a raw schematic Omni cannot read fails before the Image Factory is asked", async () => {
    const { management } = omni();
    await expectOmniError(
      management.createSchematicFromRaw({ rawSchematic: "customization:\n  kernelArgs: [a]\n" }),
      OmniError,
      Code.Unknown,
      "failed to unmarshal raw schematic: yaml: construct errors:\n  line 2: field kernelArgs not found in type schematic.Customization",
    );
    await expectOmniError(
      management.createSchematicFromRaw({ rawSchematic: "customization: [" }),
      OmniError,
      Code.Unknown,
      "failed to unmarshal raw schematic: yaml: while parsing a flow node at line 1: did not find expected node content",
    );
  });

  it("newer schematic options: binary protobuf drops them, the gateway refuses them", async () => {
    const { management } = omni();
    const rawSchematic = "customization: {}\n";
    const calls = [
      // Over gRPC Omni still asks its configured factory, not this unreachable one.
      [
        "imageFactoryUrl",
        () => management.createSchematic({ imageFactoryUrl: "http://127.0.0.1:1" }),
      ],
      [
        "talosVersion",
        () => management.createSchematicFromRaw({ rawSchematic, talosVersion: "1.12.8" }),
      ],
    ] as const;
    for (const [field, call] of calls) {
      if (transport === "gateway") {
        await expectOmniError(
          call,
          InvalidArgumentError,
          Code.InvalidArgument,
          new RegExp(`^proto: \\(line 1:\\d+\\): unknown field "${field}"$`),
        );
      } else {
        expect((await call()).id).toMatch(/^[0-9a-f]{64}$/);
      }
    }
  });
});
