import { expect, type Request, test } from "@playwright/test";
import { MachineLabels } from "../src/index.js";
import { e2eEnvironment } from "./support/environment.js";
import { browserTransports, nodeAdminClient, openHarness } from "./support/harness.js";

for (const { transport, baseUrl } of browserTransports()) {
  test.describe(`over ${transport}`, () => {
    test.beforeEach(async ({ page }) => {
      await openHarness(page);
    });

    test("unary and streaming calls signed with a service-account (PGP) key", async ({ page }) => {
      const key = e2eEnvironment().keys.admin;
      const result = await page.evaluate(
        async (spec) => {
          const client = window.clientFor(spec);
          const { Clusters, MachineStatuses } = window.omni;
          const clusters = await client.resources.listAll(Clusters);
          const kubeconfig = await client.management.kubeconfig({ cluster: "production" });
          const machines = await client.resources.listAll(MachineStatuses);
          const machine = machines.find((m) => m.spec.connected && m.spec.cluster !== "");
          const lines: string[] = [];
          for await (const line of client.management.machineLogLines({
            machineId: machine?.metadata.id ?? "",
            tailLines: 10,
          })) {
            lines.push(line);
          }
          return {
            clusters: clusters.map((cluster) => cluster.metadata.id).sort(),
            kubeconfig,
            lines,
          };
        },
        { transport, baseUrl, key },
      );
      expect(result.clusters).toEqual(["dev", "production", "staging"]);
      expect(result.kubeconfig).toContain("kind: Config");
      expect(result.kubeconfig).toContain("production");
      expect(result.lines).toHaveLength(10);
    });

    test("a watch sees a change made from Node during the test", async ({ page }) => {
      const key = e2eEnvironment().keys.reader;
      const marker = `e2e-${transport}-${Date.now()}`;
      await page.evaluate(
        async ({ spec, marker }) => {
          const client = window.clientFor(spec);
          const abort = new AbortController();
          window.e2e.stopWatch = () => abort.abort();
          const events = client.resources
            .watch(window.omni.MachineLabels, { signal: abort.signal })
            [Symbol.asyncIterator]();
          // Wait for the initial contents, so the change below is a live event.
          for (;;) {
            const next = await events.next();
            if (next.done || next.value.type === "bootstrapped") {
              break;
            }
          }
          window.e2e.seen = (async () => {
            for (;;) {
              const next = await events.next();
              if (next.done) {
                return undefined;
              }
              const event = next.value;
              if (event.type === "updated" && event.resource.metadata.labels[marker] === "seen") {
                return event.resource.metadata.id;
              }
            }
          })();
        },
        { spec: { transport, baseUrl, key }, marker },
      );

      const node = nodeAdminClient();
      const [machine] = await node.resources.listAll(MachineLabels);
      expect(machine).toBeDefined();
      const current = await node.resources.get(MachineLabels, machine?.metadata.id ?? "");
      await node.resources.update(MachineLabels, {
        metadata: { ...current.metadata, labels: { ...current.metadata.labels, [marker]: "seen" } },
        spec: current.spec,
      });

      const seenId = await page.evaluate(async () => {
        const id = await (window.e2e.seen as Promise<string | undefined>);
        (window.e2e.stopWatch as () => void)();
        return id;
      });
      expect(seenId).toBe(current.metadata.id);
    });

    test("aborting a followed log stream ends it with CanceledError", async ({ page }) => {
      const key = e2eEnvironment().keys.reader;
      const outcome = await page.evaluate(
        async (spec) => {
          const client = window.clientFor(spec);
          const machines = await client.resources.listAll(window.omni.MachineStatuses);
          const machine = machines.find((m) => m.spec.connected && m.spec.cluster !== "");
          const abort = new AbortController();
          let received = 0;
          try {
            for await (const _line of client.management.machineLogLines(
              { machineId: machine?.metadata.id ?? "", follow: true, tailLines: 1 },
              { signal: abort.signal },
            )) {
              received += 1;
              // Past the tail, these lines arrive live; stop after a few.
              if (received === 5) {
                abort.abort();
              }
            }
            return { received, error: "the stream ended without an error" };
          } catch (error) {
            return {
              received,
              error: error instanceof window.omni.CanceledError ? "CanceledError" : String(error),
            };
          }
        },
        { transport, baseUrl, key },
      );
      expect(outcome).toEqual({ received: 5, error: "CanceledError" });
    });

    test("read-only mode stops a write in the page before any request", async ({ page }) => {
      const key = e2eEnvironment().keys.admin;
      const emulatorOrigin = new URL(baseUrl).origin;
      const requests: Request[] = [];
      page.on("request", (request) => {
        if (request.url().startsWith(emulatorOrigin)) {
          requests.push(request);
        }
      });
      const outcome = await page.evaluate(
        async (spec) => {
          const client = window.clientFor(spec);
          const attempts = [
            () => client.management.createJoinToken({ name: "blocked" }),
            () =>
              client.resources.create(window.omni.MachineLabels, {
                metadata: { id: "blocked" },
                spec: {},
              }),
          ];
          const errors: string[] = [];
          for (const attempt of attempts) {
            try {
              await attempt();
              errors.push("the write went through");
            } catch (error) {
              errors.push(
                error instanceof window.omni.ReadOnlyModeError
                  ? "ReadOnlyModeError"
                  : String(error),
              );
            }
          }
          // A read still works, which shows the client itself was able to reach Omni.
          const clusters = await client.resources.listAll(window.omni.Clusters);
          return { readOnly: client.readOnly, errors, clusters: clusters.length };
        },
        { transport, baseUrl, key, readOnly: true },
      );
      expect(outcome).toEqual({
        readOnly: true,
        errors: ["ReadOnlyModeError", "ReadOnlyModeError"],
        clusters: 3,
      });
      const paths = requests.map((request) => new URL(request.url()).pathname);
      expect(paths.some((path) => path.endsWith(".State/List"))).toBe(true);
      expect(paths.filter((path) => /CreateJoinToken|State\/Create/.test(path))).toEqual([]);
    });

    test("the call functions, on their own entries, read and refuse writes like the client", async ({
      page,
    }) => {
      const key = e2eEnvironment().keys.admin;
      const outcome = await page.evaluate(
        async ({ transport: kind, baseUrl: url, key: serviceAccountKey }) => {
          const { omni, omniCalls } = window;
          const transport = omni.createOmniTransport({
            transport:
              kind === "gateway"
                ? omni.createGatewayTransport({ baseUrl: url })
                : omni.createGrpcWebTransport({ baseUrl: url }),
            auth: omni.serviceAccountAuth(serviceAccountKey),
            readOnly: true,
          });
          const clusters = await omniCalls.resources.listAll(transport, omni.Clusters);
          const kubeconfig = await omniCalls.management.kubeconfig(transport, {
            cluster: "production",
          });
          const refusal = await omniCalls.management
            .createJoinToken(transport, { name: "blocked" })
            .then(
              () => "the write went through",
              (error: unknown) =>
                error instanceof omni.ReadOnlyModeError ? "ReadOnlyModeError" : String(error),
            );
          const plain = await omniCalls.resources
            .listAll(omni.createGrpcWebTransport({ baseUrl: url }) as never, omni.Clusters)
            .then(
              () => "accepted",
              (error: unknown) =>
                error instanceof omni.ValidationError ? error.argument : String(error),
            );
          return {
            clusters: clusters.map((cluster) => cluster.metadata.id).sort(),
            kubeconfig: kubeconfig.includes("production"),
            refusal,
            plain,
          };
        },
        { transport, baseUrl, key },
      );
      expect(outcome).toEqual({
        clusters: ["dev", "production", "staging"],
        kubeconfig: true,
        refusal: "ReadOnlyModeError",
        plain: "transport",
      });
    });
  });
}
