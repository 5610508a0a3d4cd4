import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import {
  type ConnectRouter,
  createRouterTransport,
  type HandlerContext,
  type ServiceImpl,
} from "@connectrpc/connect";
import { ManagementService } from "../../src/gen/omni/management/management_pb.js";

/** One request as the in-memory server received it. */
export interface RecordedCall {
  method: string;
  request: unknown;
  headers: Headers;
}

export type ManagementImpl = Partial<ServiceImpl<typeof ManagementService>>;

/**
 * An in-memory ManagementService that records every request and its metadata. Methods without
 * an implementation answer with an empty response (unary) or an empty stream.
 */
export function createFakeOmni(impl: ManagementImpl = {}) {
  const calls: RecordedCall[] = [];
  const record = (method: string, request: unknown, ctx: HandlerContext) => {
    calls.push({ method, request, headers: new Headers(ctx.requestHeader) });
  };
  const service: Record<string, unknown> = {};
  for (const method of ManagementService.methods) {
    const own = (
      impl as Record<string, ((req: unknown, ctx: HandlerContext) => unknown) | undefined>
    )[method.localName];
    if (method.methodKind === "unary") {
      service[method.localName] = async (request: unknown, ctx: HandlerContext) => {
        record(method.name, request, ctx);
        return own ? own(request, ctx) : create(method.output as DescMessage);
      };
    } else {
      service[method.localName] = async function* (request: unknown, ctx: HandlerContext) {
        record(method.name, request, ctx);
        if (own) {
          yield* own(request, ctx) as AsyncIterable<MessageShape<DescMessage>>;
        }
      };
    }
  }
  const transport = createRouterTransport((router: ConnectRouter) => {
    router.service(ManagementService, service as ServiceImpl<typeof ManagementService>);
  });
  return {
    transport,
    calls,
    /** How many requests reached the server, for one RPC or in total. */
    requestCount(method?: string): number {
      return method ? calls.filter((call) => call.method === method).length : calls.length;
    },
    last(): RecordedCall {
      const call = calls.at(-1);
      if (!call) {
        throw new Error("no call reached the server");
      }
      return call;
    },
  };
}
