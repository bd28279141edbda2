// The documented examples of the access-token SDK (shared/seed/access-tokens-sdk.md), each run verbatim but for
// its import specifiers and a `serverURL` option, against the local S2 server on loopback.
// biome-ignore-all format: the examples keep their documented formatting
// biome-ignore-all lint/suspicious/noConsole: the examples log their result
// biome-ignore-all lint/complexity/useLiteralKeys: the examples read the environment as documented
// biome-ignore-all lint/correctness/noUnusedVariables: one example leaves its result unused
import { S2 } from "@effect-s2/client/promise";
import { S2Core } from "@effect-s2/client/promise/core.js";
import { accessTokensIssueAccessToken } from "@effect-s2/client/promise/funcs/accessTokensIssueAccessToken.js";
import { accessTokensListAccessTokens } from "@effect-s2/client/promise/funcs/accessTokensListAccessTokens.js";
import { accessTokensRevokeAccessToken } from "@effect-s2/client/promise/funcs/accessTokensRevokeAccessToken.js";
import { makeLoopback, type S2TestServerService } from "@effect-s2/testing";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as Redacted from "effect/Redacted";
import * as Scope from "effect/Scope";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

let scope: Scope.CloseableScope;
let server: S2TestServerService;
const unhandled: Array<unknown> = [];
const onUnhandled = (reason: unknown) => {
  unhandled.push(reason);
};
const log = vi.spyOn(console, "log").mockImplementation(() => {});

beforeAll(async () => {
  scope = Effect.runSync(Scope.make());
  server = await Effect.runPromise(Scope.extend(makeLoopback(), scope));
  process.env["S2_BEARER_AUTH"] = Redacted.value(server.rootToken);
  process.env["S2_SERVER_URL"] = server.url;
  process.on("unhandledRejection", onUnhandled);
});

afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  log.mockRestore();
  delete process.env["S2_BEARER_AUTH"];
  delete process.env["S2_SERVER_URL"];
  await Effect.runPromise(Scope.close(scope, Exit.void));
});

beforeEach(() => {
  log.mockClear();
});

afterEach(async () => {
  // An example's `run()` is not awaited: a failure of it would surface as an unhandled rejection.
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(unhandled).toEqual([]);
});

/** The ids the server lists, asked with a client of our own. */
const listedIds = async (): Promise<Array<string>> => {
  const own = new S2({ bearerAuth: Redacted.value(server.rootToken), serverURL: server.url });
  const { accessTokens } = await own.accessTokens.listAccessTokens({});
  await own.close();
  return accessTokens.map((token) => token.id);
};

describe.sequential("the documented examples", () => {
  it("S2: listAccessTokens", async () => {
    {
      const s2 = new S2({
        bearerAuth: process.env["S2_BEARER_AUTH"] ?? "",
        serverURL: process.env["S2_SERVER_URL"],
      });

      async function run() {
        const result = await s2.accessTokens.listAccessTokens({});

        // Handle the result
        console.log(result);
      }

      run();
    }
    await vi.waitFor(() => expect(log).toHaveBeenCalledTimes(1));
    expect(log).toHaveBeenCalledWith({ accessTokens: [], hasMore: false });
  });

  it("S2: issueAccessToken", async () => {
    {
      const s2 = new S2({
        bearerAuth: process.env["S2_BEARER_AUTH"] ?? "",
        serverURL: process.env["S2_SERVER_URL"],
      });

      async function run() {
        const result = await s2.accessTokens.issueAccessToken({
          id: "<id>",
          scope: {},
        });

        // Handle the result
        console.log(result);
      }

      run();
    }
    await vi.waitFor(() => expect(log).toHaveBeenCalledTimes(1));
    const [result] = log.mock.calls[0] ?? [];
    expect(result).toEqual({ accessToken: expect.any(String) });
    expect(await listedIds()).toEqual(["<id>"]);
  });

  it("S2: revokeAccessToken", async () => {
    {
      const s2 = new S2({
        bearerAuth: process.env["S2_BEARER_AUTH"] ?? "",
        serverURL: process.env["S2_SERVER_URL"],
      });

      async function run() {
        await s2.accessTokens.revokeAccessToken({
          id: "<id>",
        });


      }

      run();
    }
    await vi.waitFor(async () => expect(await listedIds()).toEqual([]));
  });

  it("standalone: accessTokensListAccessTokens", async () => {
    {
      // Use `S2Core` for best tree-shaking performance.
      // You can create one instance of it to use across an application.
      const s2 = new S2Core({
        bearerAuth: process.env["S2_BEARER_AUTH"] ?? "",
        serverURL: process.env["S2_SERVER_URL"],
      });

      async function run() {
        const res = await accessTokensListAccessTokens(s2, {});

        if (!res.ok) {
          throw res.error;
        }

        const { value: result } = res;

        // Handle the result
        console.log(result);
      }

      run();
    }
    await vi.waitFor(() => expect(log).toHaveBeenCalledTimes(1));
    expect(log).toHaveBeenCalledWith({ accessTokens: [], hasMore: false });
  });

  it("standalone: accessTokensIssueAccessToken", async () => {
    {
      // Use `S2Core` for best tree-shaking performance.
      // You can create one instance of it to use across an application.
      const s2 = new S2Core({
        bearerAuth: process.env["S2_BEARER_AUTH"] ?? "",
        serverURL: process.env["S2_SERVER_URL"],
      });

      async function run() {
        const res = await accessTokensIssueAccessToken(s2, {
          id: "<id>",
          scope: {},
        });

        if (!res.ok) {
          throw res.error;
        }

        const { value: result } = res;

        // Handle the result
        console.log(result);
      }

      run();
    }
    await vi.waitFor(() => expect(log).toHaveBeenCalledTimes(1));
    const [result] = log.mock.calls[0] ?? [];
    expect(result).toEqual({ accessToken: expect.any(String) });
    expect(await listedIds()).toEqual(["<id>"]);
  });

  it("standalone: accessTokensRevokeAccessToken", async () => {
    {
      // Use `S2Core` for best tree-shaking performance.
      // You can create one instance of it to use across an application.
      const s2 = new S2Core({
        bearerAuth: process.env["S2_BEARER_AUTH"] ?? "",
        serverURL: process.env["S2_SERVER_URL"],
      });

      async function run() {
        const res = await accessTokensRevokeAccessToken(s2, {
          id: "<id>",
        });

        if (!res.ok) {
          throw res.error;
        }

        // @ts-expect-error: the documented example leaves `result` unused
        const { value: result } = res;

        
      }

      run();
    }
    await vi.waitFor(async () => expect(await listedIds()).toEqual([]));
  });
});
