import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import {
  InvalidArgumentError,
  OmniError,
  PermissionDeniedError,
  rawResourceType,
  UnimplementedError,
} from "../../src/index.js";
import { realClient, realOmni, transportNames, uniqueName } from "./harness.js";
import {
  advertisedHost,
  expectOmniError,
  literal,
  omniAccountName,
  serviceAccountIdentity,
} from "./management-expect.js";

const JoinTokens = rawResourceType("JoinTokens.omni.sidero.dev");

describe.each(transportNames)("management configs of real Omni over %s", (transport) => {
  const omni = () => realClient(transport);
  const identity = () => serviceAccountIdentity(realOmni().serviceAccountName);

  it("omniconfig names the advertised endpoint, the default context and the caller", async () => {
    const config = parse(await omni().management.omniconfig());
    expect(config).toEqual({
      contexts: {
        default: {
          url: `https://${advertisedHost()}`,
          auth: { siderov1: { identity: identity() } },
        },
      },
      context: "default",
    });
  });

  it("talosconfig without a cluster covers the instance, with one it names the cluster", async () => {
    expect(parse(await omni().management.talosconfig())).toEqual({
      context: omniAccountName,
      contexts: {
        [omniAccountName]: {
          endpoints: [`https://${advertisedHost()}`],
          auth: { siderov1: { identity: identity() } },
        },
      },
    });
    // Omni does not look the cluster up: a talosconfig for one that does not exist is served too.
    const cluster = uniqueName("no-such-cluster");
    const context = `${omniAccountName}-${cluster}`;
    expect(parse(await omni().management.talosconfig({ cluster }))).toEqual({
      context,
      contexts: {
        [context]: {
          endpoints: [`https://${advertisedHost()}`],
          auth: { siderov1: { identity: identity() } },
          cluster,
        },
      },
    });
  });

  it("raw and break-glass configs are refused: the feature flag is off in a release build", async () => {
    const cluster = uniqueName("no-such-cluster");
    const { management } = omni();
    for (const work of [
      () => management.talosconfig({ cluster, raw: true }),
      () => management.talosconfig({ cluster, breakGlass: true }),
      () => management.kubeconfig({ cluster, breakGlass: true }),
    ]) {
      await expectOmniError(work, PermissionDeniedError, Code.PermissionDenied, "not allowed");
    }
  });

  it("kubeconfig of a cluster that does not exist is still an OIDC kubeconfig for it", async () => {
    const cluster = uniqueName("no-such-cluster");
    const name = `${omniAccountName}-${cluster}`;
    const user = `${name}-${identity()}`;
    const kubeconfig = parse(
      await omni().management.kubeconfig({ cluster, grantType: "authcode" }),
    ) as Record<string, unknown>;
    expect(kubeconfig).toMatchObject({
      apiVersion: "v1",
      kind: "Config",
      "current-context": name,
      contexts: [{ name, context: { cluster: name, namespace: "default", user } }],
      users: [
        {
          name: user,
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1",
              command: "kubectl",
              args: [
                "oidc-login",
                "get-token",
                `--oidc-issuer-url=https://${advertisedHost()}/oidc`,
                "--oidc-client-id=native",
                `--oidc-extra-scope=cluster:${cluster}`,
                "--grant-type=authcode",
                "--oidc-redirect-url=urn:ietf:wg:oauth:2.0:oob",
              ],
            },
          },
        },
      ],
    });
    // The Kubernetes proxy's own advertised URL (its port is not one the tests are told).
    const [entry] = kubeconfig.clusters as { name: string; cluster: { server: string } }[];
    expect(entry?.name).toBe(name);
    expect(entry?.cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it("a service-account kubeconfig needs the cluster: Omni fails with code Unknown", async () => {
    const cluster = uniqueName("no-such-cluster");
    await expectOmniError(
      omni().management.kubeconfig({
        cluster,
        serviceAccount: true,
        serviceAccountUser: "automation",
        serviceAccountTtlSeconds: 3600,
      }),
      OmniError,
      Code.Unknown,
      `failed to get cluster UUID: failed to get: resource ClusterUUIDs.omni.sidero.dev(default/${cluster}@undefined) doesn't exist`,
    );
  });

  it("validateConfig accepts a patch and refuses bad YAML and locked fields", async () => {
    const { management } = omni();
    await expect(
      management.validateConfig({ config: "machine:\n  network:\n    hostname: worker-1\n" }),
    ).resolves.toBeUndefined();
    await expectOmniError(
      management.validateConfig({ config: "machine: [" }),
      InvalidArgumentError,
      Code.InvalidArgument,
      "decode error: yaml: while parsing a flow node at line 1: did not find expected node content",
    );
    await expectOmniError(
      management.validateConfig({ config: "cluster:\n  clusterName: other\n" }),
      InvalidArgumentError,
      Code.InvalidArgument,
      '1 error occurred:\n\t* overriding "cluster.clusterName" is not allowed in the config patch\n\n',
    );
  });

  it("validateJSONSchema lists each violation, and fails on a schema that is not JSON", async () => {
    const { management } = omni();
    const schema = '{"type":"object","properties":{"replicas":{"type":"integer"}}}';
    const valid = await management.validateJSONSchema({ data: '{"replicas":3}', schema });
    expect(valid.errors).toEqual([]);
    expect(valid.totalErrors).toBe(0);
    const invalid = await management.validateJSONSchema({ data: '{"replicas":"3"}', schema });
    expect(invalid.totalErrors).toBe(1);
    expect(invalid.errors).toEqual([
      {
        // Omni names the schema after a file in its temporary directory.
        schemaPath: expect.stringMatching(
          /^file:\/\/\/.*\/untitled-schema\.json#\/properties\/replicas$/,
        ),
        dataPath: "/replicas",
        cause: "got string, want integer",
        errors: [],
      },
    ]);
    await expectOmniError(
      management.validateJSONSchema({ data: "{}", schema: "not json" }),
      OmniError,
      Code.Unknown,
      "invalid character 'o' in literal null (expecting 'u')",
    );
  });

  it("a created join token is stored under its name and goes into the join config", async () => {
    const { management, resources } = omni();
    const name = uniqueName("jt").slice(0, 16);
    const token = await management.createJoinToken({
      name,
      expirationTime: new Date(Date.now() + 3_600_000),
    });
    expect(token.name).toBe(name);
    expect(token.id).toMatch(/^[A-Za-z0-9]{40,}$/);
    const stored = await resources.get(JoinTokens, token.id);
    expect(stored.spec.yamlSpec).toContain(`name: ${name}\n`);
    expect(stored.spec.yamlSpec).toContain("revoked: false");

    const joinConfig = await management.getMachineJoinConfig({ joinToken: token.id });
    const [api, events, logs] = joinConfig.kernelArgs;
    expect(joinConfig.kernelArgs).toHaveLength(3);
    expect(api).toMatch(
      new RegExp(`^siderolink\\.api=grpc://127\\.0\\.0\\.1:\\d+\\?jointoken=${literal(token.id)}$`),
    );
    expect(events).toMatch(/^talos\.events\.sink=\[fdae:[0-9a-f:]+::1\]:\d+$/);
    expect(logs).toMatch(/^talos\.logging\.kernel=tcp:\/\/\[fdae:[0-9a-f:]+::1\]:\d+$/);
    const documents = parseAllDocuments(joinConfig.config).map((document) => document.toJS());
    expect(documents.map((document) => document.kind)).toEqual([
      "SideroLinkConfig",
      "EventSinkConfig",
      "KmsgLogConfig",
    ]);
    expect(documents[0]?.apiUrl).toBe(api?.slice("siderolink.api=".length));
  });

  it("join config uses the default token unless told, and asks for the tunnel when told", async () => {
    const { management } = omni();
    const plain = await management.getMachineJoinConfig();
    expect(plain.kernelArgs[0]).toMatch(
      /^siderolink\.api=grpc:\/\/127\.0\.0\.1:\d+\?jointoken=\w+$/,
    );
    const tunnelled = await management.getMachineJoinConfig({ useGrpcTunnel: true });
    expect(tunnelled.kernelArgs[0]).toBe(
      plain.kernelArgs[0]?.replace("?jointoken=", "?grpc_tunnel=true&jointoken="),
    );
    // Omni does not check that a join token exists; it renders whatever it is given.
    const unknown = await management.getMachineJoinConfig({ joinToken: "no-such-token" });
    expect(unknown.kernelArgs[0]).toMatch(/\?jointoken=no-such-token$/);
  });

  it("a join token name of 16 characters, the most Omni and the SDK accept, is created", async () => {
    // The SDK refuses longer names before sending, as Omni would (it counts bytes too).
    const name = uniqueName("sixteen-chars").slice(0, 16);
    await expect(omni().management.createJoinToken({ name })).resolves.toMatchObject({ name });
  });

  it("getBootAssetURL and tearDownLockedCluster are not in v1.9.3: UnimplementedError", async () => {
    const { management } = omni();
    const bootAsset = (await expectOmniError(
      management.getBootAssetURL({
        talosVersion: "1.10.0",
        schematicId: "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba",
        bootAssetKind: "iso",
      }),
      UnimplementedError,
      Code.Unimplemented,
    )) as UnimplementedError;
    expect(bootAsset.availableIn).toBe("builds after v1.10.4 (not yet released)");
    const tearDown = (await expectOmniError(
      management.tearDownLockedCluster({ clusterId: uniqueName("locked") }),
      UnimplementedError,
      Code.Unimplemented,
    )) as UnimplementedError;
    expect(tearDown.availableIn).toBe("v1.2.0 and v1.2.1 only");
    // gRPC servers name the method; the gateway's router only answers 404, which the SDK maps.
    const unknownMethod =
      transport === "gateway"
        ? () => "the server has no such method (HTTP 404 from the gateway router)"
        : (method: string) => `unknown method ${method} for service management.ManagementService`;
    expect(bootAsset.rawMessage).toBe(
      `${unknownMethod("GetBootAssetURL")} (available in Omni builds after v1.10.4 (not yet released))`,
    );
    expect(tearDown.rawMessage).toBe(
      `${unknownMethod("TearDownLockedCluster")} (available in Omni v1.2.0 and v1.2.1 only)`,
    );
  });
});
