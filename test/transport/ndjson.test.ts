import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { parseNdjson } from "../../src/transport/ndjson.js";

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) {
        controller.enqueue(chunk);
      }
      controller.close();
    },
  });
}

async function collect(chunks: Uint8Array[]): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const value of parseNdjson(streamOf(chunks))) {
    values.push(value);
  }
  return values;
}

const encoder = new TextEncoder();

describe("parseNdjson", () => {
  const text = '{"result":{"name":"nœud-€-🚀"}}\n\n{"result":{"n":2}}\r\n  \n{"error":{"code":5}}';
  const bytes = encoder.encode(text);
  const expected = [
    { result: { name: "nœud-€-🚀" } },
    { result: { n: 2 } },
    { error: { code: 5 } },
  ];

  it("gives the same lines wherever the body is split, even inside a UTF-8 character", async () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const values = await collect([bytes.slice(0, cut), bytes.slice(cut)]);
      expect(values, `split at byte ${cut}`).toEqual(expected);
    }
  });

  it("handles a body delivered one byte at a time", async () => {
    const single = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(await collect(single)).toEqual(expected);
  });

  it("yields a line as soon as it is complete, before the body ends", async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    const lines = parseNdjson(body);
    controller.enqueue(encoder.encode('{"a":1}\n{"b"'));
    expect((await lines.next()).value).toEqual({ a: 1 });
    controller.enqueue(encoder.encode(":2}\n"));
    expect((await lines.next()).value).toEqual({ b: 2 });
    controller.close();
    expect((await lines.next()).done).toBe(true);
  });

  it("rejects a line that is not JSON with a protocol error", async () => {
    const error = await collect([encoder.encode('{"a":1}\n<html>bad gateway</html>\n')]).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Internal);
    expect((error as ConnectError).message).toContain("not JSON");
  });

  it("turns a body that breaks off into UNAVAILABLE, after the lines that arrived", async () => {
    const dropped = new TypeError("terminated", { cause: new Error("other side closed") });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('{"a":1}\n'));
      },
      pull(controller) {
        controller.error(dropped);
      },
    });
    const values: unknown[] = [];
    const error = await (async () => {
      for await (const value of parseNdjson(body)) {
        values.push(value);
      }
    })().catch((e: unknown) => e);
    expect(values).toEqual([{ a: 1 }]);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Unavailable);
    expect((error as ConnectError).rawMessage).toBe(
      "the connection to the Omni gateway was lost mid-stream (terminated: other side closed)",
    );
    expect((error as ConnectError).cause).toBe(dropped);
  });

  it("cancels the body when the consumer stops early", async () => {
    let canceled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('{"a":1}\n{"a":2}\n'));
      },
      cancel() {
        canceled = true;
      },
    });
    for await (const _ of parseNdjson(body)) {
      break;
    }
    expect(canceled).toBe(true);
  });
});
