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

  describe("maxLineBytes", () => {
    async function collectWithin(chunks: Uint8Array[], maxLineBytes: number) {
      const values: unknown[] = [];
      const error = await (async () => {
        for await (const value of parseNdjson(streamOf(chunks), maxLineBytes)) {
          values.push(value);
        }
      })().catch((e: unknown) => e);
      return { values, error };
    }

    const line = (n: number) => `{"n":${n},"pad":"${"p".repeat(40)}"}`;

    it("lets lines up to the cap through, however the body is cut", async () => {
      const body = encoder.encode(`${line(1)}\n${line(2)}\n`);
      const cap = encoder.encode(line(1)).byteLength;
      for (let cut = 0; cut <= body.length; cut++) {
        const { values, error } = await collectWithin([body.slice(0, cut), body.slice(cut)], cap);
        expect(error, `split at byte ${cut}`).toBeUndefined();
        expect(values).toHaveLength(2);
      }
    });

    it.each([
      ["alone in a chunk", (long: string) => [`${long}\n`]],
      ["between two lines of one chunk", (long: string) => [`${line(1)}\n${long}\n${line(3)}\n`]],
      ["across many chunks", (long: string) => [...long].map((c) => c)],
      ["with no line break at all", (long: string) => [long]],
    ])("refuses a line over the cap %s, after the lines before it", async (_where, split) => {
      const long = line(2).replace('"pad"', '"longer-pad"');
      const cap = encoder.encode(line(2)).byteLength;
      const { values, error } = await collectWithin(
        split(long).map((chunk) => encoder.encode(chunk)),
        cap,
      );
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
      expect((error as ConnectError).rawMessage).toBe(
        `a line of the gateway stream is more than the ${cap} bytes this transport reads (maxResponseBytes)`,
      );
      expect(values.length).toBeLessThanOrEqual(1);
    });

    it("reads a line of many chunks in time linear in its length", async () => {
      // 8 MiB in 4 KiB chunks: a line copied once per chunk would cost 8 GiB of copying.
      const chunk = encoder.encode("a".repeat(4096));
      const chunks = [encoder.encode('{"s":"'), ...Array.from({ length: 2048 }, () => chunk)];
      chunks.push(encoder.encode('"}\n'));
      const { values, error } = await collectWithin(chunks, 16 * 1024 * 1024);
      expect(error).toBeUndefined();
      expect((values[0] as { s: string }).s).toHaveLength(8 * 1024 * 1024);
    });
  });
});
