import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, UnimplementedError } from "../../src/errors.js";
import {
  ReadAuditLogRequestSchema,
  type ReadAuditLogResponse,
  ReadAuditLogResponseSchema,
} from "../../src/gen/omni/management/management_pb.js";
import { followAuditLog } from "../../src/management/audit-log-follow.js";

const ack = (id: bigint) => create(ReadAuditLogResponseSchema, { id });
const event = (id: bigint) =>
  create(ReadAuditLogResponseSchema, {
    id,
    auditLog: new TextEncoder().encode(`{"event_type":"create","resource_id":"r${id}"}\n`),
  });

/**
 * Follows over scripted streams, each lasting `durationMs` on a fake clock, and records the
 * pauses the follow takes before reconnecting. The last script fails, which ends the follow.
 */
async function pausesOver(streams: { responses: ReadAuditLogResponse[]; durationMs: number }[]) {
  let nowMs = 0;
  const pauses: number[] = [];
  let served = 0;
  async function* open() {
    const stream = streams[served++];
    if (!stream) {
      throw new Error("end of script");
    }
    yield* stream.responses;
    nowMs += stream.durationMs;
  }
  const follow = followAuditLog(
    open,
    create(ReadAuditLogRequestSchema, { follow: true }),
    () => {},
    {
      now: () => nowMs,
      wait: async (ms) => {
        pauses.push(ms);
        nowMs += ms;
      },
    },
  );
  try {
    for await (const _ of follow) {
      // Only the pacing matters here.
    }
  } catch {
    // The end of the script.
  }
  return pauses;
}

describe("the pace of an audit-log follow", () => {
  it("resumes at once after a stream that lasted its lease or delivered entries", async () => {
    expect(
      await pausesOver([
        { responses: [ack(0n)], durationMs: 3_600_000 },
        { responses: [ack(0n), event(1n)], durationMs: 10 },
        { responses: [ack(1n)], durationMs: 3_600_000 },
      ]),
    ).toEqual([]);
  });

  it("pauses, longer each time up to 30 s, while streams end at once with nothing in them", async () => {
    const brief = { responses: [ack(5n)], durationMs: 5 };
    expect(await pausesOver(Array.from({ length: 8 }, () => brief))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it("goes back to resuming at once after a stream delivers again", async () => {
    const brief = { responses: [ack(5n)], durationMs: 5 };
    expect(
      await pausesOver([
        brief,
        brief,
        { responses: [ack(5n), event(6n)], durationMs: 5 },
        brief,
        brief,
      ]),
    ).toEqual([1000, 2000, 1000, 2000]);
  });
});

describe("a follow on an Omni without follow mode", () => {
  const follow = (open: () => AsyncIterable<ReadAuditLogResponse>) =>
    followAuditLog(open, create(ReadAuditLogRequestSchema, { follow: true }), () => {}, {
      now: () => 0,
      wait: async () => {},
    });

  it("fails with UnimplementedError when binary protobuf drops `follow` and records come at once", async () => {
    const error = await drainError(
      follow(async function* () {
        yield event(0n);
      }),
    );
    expect(error).toBeInstanceOf(UnimplementedError);
  });

  it("fails with the same UnimplementedError when the JSON gateway refuses the unknown field", async () => {
    // Omni v1.9.3's gateway answers exactly this.
    const refusal = new InvalidArgumentError('proto: (line 1:2): unknown field "follow"');
    const error = await drainError(follow(() => failingStream(refusal)));
    expect(error).toBeInstanceOf(UnimplementedError);
    expect((error as UnimplementedError).rawMessage).toContain("cannot follow the audit log");
  });

  it("passes other InvalidArgument errors through unchanged", async () => {
    const other = new InvalidArgumentError('proto: (line 1:2): unknown field "search"');
    const error = await drainError(follow(() => failingStream(other)));
    expect(error).toBe(other);
  });
});

async function drainError(stream: AsyncIterable<unknown>): Promise<unknown> {
  try {
    for await (const _ of stream) {
      // Only the error matters.
    }
  } catch (error) {
    return error;
  }
  throw new Error("the follow should have failed");
}

// biome-ignore lint/correctness/useYield: the stream fails before its first message
async function* failingStream(error: Error): AsyncGenerator<ReadAuditLogResponse> {
  throw error;
}
