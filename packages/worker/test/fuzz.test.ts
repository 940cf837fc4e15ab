import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

const routes = [
  ["POST", "/v1/tts/send"],
  ["POST", "/v1/campaign/send"],
  ["POST", "/v1/audio-file/rename"],
  ["GET", "/v1/me"],
  ["GET", "/v1/audios"],
  ["DELETE", "/v1/campaign/cancel/"],
  ["GET", "/v1/campaigns/"],
  ["POST", "/callbacks/alpha/x/1/-/"],
  ["GET", "/callbacks/alpha/x/1/-/"],
] as const

const field = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.constantFrom(
    "0612345678",
    "+33612345678",
    "06 12 34 56 78, 0712345678",
    "dev-audio",
    "2030-01-01 10:00",
  ),
)

const body = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        phoneNumbers: field,
        text: field,
        tokenAudio: field,
        lang: field,
        speechRate: field,
        scheduledDate: field,
        notifyUrl: field,
        emailForNotification: field,
        sender: field,
        filename: field,
        apiKey: field,
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  // Nesting far past the gateway's limit, in a field or as the whole body.
  fc
    .tuple(fc.integer({ min: 33, max: 20_000 }), fc.constantFrom("[", '{"a":'), fc.boolean())
    .map(([levels, open, inField]) => {
      const close = open === "[" ? "]" : "}"
      const deep = `${open.repeat(levels)}1${close.repeat(levels)}`
      return inField ? `{"phoneNumbers":${deep},"text":"x"}` : deep
    }),
)

describe("no client input gets a 500", () => {
  it("random bodies, paths, tokens and headers on every route", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.string({ maxLength: 12 }).map(encodeURIComponent),
        body,
        fc.option(fc.constantFrom(TOKENS.alpha, TOKENS.reader, "nope", ""), { nil: undefined }),
        fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
        fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
        async ([method, path], suffix, payload, token, idempotencyKey, prefer) => {
          const headers = new Headers({ "content-type": "application/json" })
          if (token !== undefined) headers.set("authorization", `Bearer ${token}`)
          try {
            if (idempotencyKey !== undefined) headers.set("idempotency-key", idempotencyKey)
            if (prefer !== undefined) headers.set("prefer", prefer)
          } catch {
            // Not a valid header value: a client could not send it either.
          }
          const response = await gateway(`${path}${path.endsWith("/") ? suffix || "x" : ""}`, {
            method,
            headers,
            ...(method === "POST" && { body: payload }),
          })
          expect(response.status).toBeLessThan(500)
          const answer = (await response.json()) as { success?: boolean }
          if (response.status >= 400) expect(answer.success).toBe(false)
        },
      ),
      { numRuns: 300 },
    )
    expect(h.logs.some((line) => line.includes('"level":"error"'))).toBe(false)
  }, 120_000)
})
