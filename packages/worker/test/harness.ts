// Runs inside workerd with the gateway: the upstream is an in-isolate emulator, webhook
// receivers are recorded, and any other host fails (tests never reach the internet).

import {
  abortAllDurableObjects,
  env,
  evictDurableObject,
  reset,
  runInDurableObject,
  SELF,
} from "cloudflare:test"
import { createEmulator, type InProcessEmulator } from "@voicepartner/emulator"
import { afterEach, beforeEach, expect, vi } from "vitest"
import { isolateRefusals } from "../src/quota/refusalCache.js"
import { CALLBACK_KEY, SECRETS, TOKENS, UPSTREAM_KEY } from "./testEnv.js"

export interface Hook {
  readonly url: string
  readonly headers: Headers
  readonly body: string
}

export interface Harness {
  upstream: InProcessEmulator
  readonly hooks: Array<Hook>
  /** The status the webhook receiver answers to its n-th request (1-based). */
  hookStatus: (n: number, url: string) => number
  readonly logs: Array<string>
}

// The runtime's own fetch, for the tests that need a real connection (a closed port).
const realFetch = globalThis.fetch

const secrets = [UPSTREAM_KEY, CALLBACK_KEY, ...Object.values(TOKENS), ...Object.values(SECRETS)]

/** Fresh upstream, receivers and Durable Object storage for every test. */
export const useHarness = (): Harness => {
  const harness: Harness = {
    upstream: undefined as unknown as InProcessEmulator,
    hooks: [],
    hookStatus: () => 204,
    logs: [],
  }
  beforeEach(async () => {
    await reset()
    // reset() skips an evicted object: wipe the account's quota explicitly.
    await runInDurableObject(await accountQuota(), (_instance, state: DurableObjectState) =>
      state.storage.deleteAll(),
    )
    await abortAllDurableObjects()
    // Storage was wiped: what this isolate learnt from it no longer holds.
    isolateRefusals.clear()
    harness.upstream = createEmulator({
      apiKeys: [UPSTREAM_KEY],
      timers: false,
      callbackDelayMs: 0,
      fetch: (input, init) => SELF.fetch(new Request(input, init)),
    })
    harness.hooks.length = 0
    harness.logs.length = 0
    harness.hookStatus = () => 204
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init)
      const host = new URL(request.url).host
      if (host === "voicepartner.test") return harness.upstream.fetch(request)
      if (host === "hooks.test") {
        harness.hooks.push({
          url: request.url,
          headers: request.headers,
          body: await request.text(),
        })
        return new Response(null, { status: harness.hookStatus(harness.hooks.length, request.url) })
      }
      // Loopback only, and only where a test points the gateway on purpose (a closed port).
      if (new URL(request.url).hostname === "127.0.0.1") return realFetch(request)
      throw new TypeError(`fetch failed: ${host} is outside the test`)
    })
    for (const method of ["log", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: Array<unknown>) => {
        harness.logs.push(
          args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "),
        )
      })
    }
  })
  afterEach(() => {
    // No secret in any log line of any test.
    for (const line of harness.logs)
      for (const secret of secrets) expect(line).not.toContain(secret)
    vi.restoreAllMocks()
  })
  return harness
}

/** The quota object of the test account (named by the SHA-256 of the upstream key). */
export const accountQuota = async () => {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(UPSTREAM_KEY)),
  )
  const id = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")
  return env.QUOTA.get(env.QUOTA.idFromName(`account:${id}`))
}

/** The Durable Object of broadcast `id`. */
export const broadcastStub = (id: string) => env.BROADCASTS.get(env.BROADCASTS.idFromName(id))

/**
 * As if `ms` had passed for the account's quota and the given broadcasts: the quota's
 * admissions and blocks, the emulator's log, and each broadcast's chunk times (retry,
 * departure, answer: what it paces itself by) aged; the isolate's refusals forgotten.
 */
export const passTime = async (
  harness: Harness,
  ms: number,
  ...broadcasts: ReadonlyArray<string>
) => {
  for (const id of broadcasts)
    await runInDurableObject(broadcastStub(id), (_instance, state: DurableObjectState) => {
      state.storage.sql.exec(
        "UPDATE chunks SET started_at = started_at - ?, finished_at = finished_at - ?, next_at = next_at - ?",
        ms,
        ms,
        ms,
      )
    })
  const quota = await accountQuota()
  await runInDurableObject(quota, (_instance, state: DurableObjectState) => {
    state.storage.sql.exec("UPDATE admissions SET at = at - ?", ms)
    state.storage.sql.exec("UPDATE blocks SET until = until - ?", ms)
  })
  await evictDurableObject(quota)
  isolateRefusals.clear()
  for (const log of Object.values(harness.upstream.emulator.state.limits))
    for (let i = 0; i < log.length; i++) log[i] = (log[i] as number) - ms
}

/** A voicemail drop body (the emulator's audio file unless told otherwise). */
export const dropBody = (phoneNumbers: string, tokenAudio = "dev-audio") => ({
  phoneNumbers,
  tokenAudio,
  emailForNotification: "ops@example.com",
})

/** A request to the gateway as a client. */
export const gateway = (
  path: string,
  init: RequestInit & { readonly token?: string | undefined; readonly json?: unknown } = {},
): Promise<Response> => {
  const headers = new Headers(init.headers)
  if (init.token !== undefined) headers.set("authorization", `Bearer ${init.token}`)
  if (init.json !== undefined) headers.set("content-type", "application/json")
  return SELF.fetch(`http://gateway.test${path}`, {
    ...init,
    headers,
    ...(init.json !== undefined && {
      body: JSON.stringify(init.json),
      method: init.method ?? "POST",
    }),
  })
}

/** Asserts an answer and none of the secrets in it. */
export const answer = async (response: Response) => {
  const text = await response.text()
  const headers = [...response.headers].map(([k, v]) => `${k}: ${v}`).join("\n")
  for (const secret of secrets) {
    expect(text).not.toContain(secret)
    expect(headers).not.toContain(secret)
  }
  expect(text).not.toContain("/callbacks/")
  // biome-ignore lint/suspicious/noExplicitAny: tests check answers field by field
  const json = JSON.parse(text) as any
  return { status: response.status, headers: response.headers, json }
}
