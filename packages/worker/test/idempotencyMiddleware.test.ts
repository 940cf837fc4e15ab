// The Idempotency-Key middleware on its own: a tiny Hono app and an in-memory store.
import { Hono } from "hono"
import { beforeEach, describe, expect, it } from "vitest"
import {
  type IdempotencyDecision,
  type IdempotencyEnv,
  type IdempotencyStore,
  idempotency,
} from "../src/http/idempotency.js"

interface Entry {
  fingerprint: string
  answer?: { readonly status: number; readonly body: string }
}

const memoryStore = () => {
  const keys = new Map<string, Entry>()
  const calls: Array<string> = []
  const store: IdempotencyStore = {
    begin: async (key, fingerprint): Promise<IdempotencyDecision> => {
      calls.push(`begin ${key} ${fingerprint}`)
      const entry = keys.get(key)
      if (entry === undefined) {
        keys.set(key, { fingerprint })
        return { kind: "proceed" }
      }
      if (entry.fingerprint !== fingerprint) return { kind: "mismatch" }
      return entry.answer === undefined ? { kind: "inFlight" } : { kind: "replay", ...entry.answer }
    },
    finish: async (key, status, body) => {
      calls.push(`finish ${key} ${status}`)
      const entry = keys.get(key)
      if (entry !== undefined) entry.answer = { status, body }
    },
    abandon: async (key) => {
      calls.push(`abandon ${key}`)
      keys.delete(key)
    },
  }
  return { store, keys, calls }
}

interface TestEnv extends IdempotencyEnv {
  readonly Variables: IdempotencyEnv["Variables"] & { canonical: string }
}

let memory: ReturnType<typeof memoryStore>
/** What the handler did, in order. */
let runs: Array<string>
/** How the handler behaves for the next request. */
let behaviour: "send" | "nothingSent" | "throw"

const testApp = () =>
  new Hono<TestEnv>()
    .post(
      "/send",
      // Stands for validation: the canonical form of the request, here its lower-cased text.
      async (c, next) => {
        c.set("canonical", (await c.req.text()).toLowerCase())
        await next()
      },
      idempotency<TestEnv>({
        store: () => memory.store,
        fingerprint: async (c) => c.get("canonical"),
      }),
      (c) => {
        runs.push(`run ${c.get("idempotencyKey") ?? "-"}`)
        if (behaviour === "throw") throw new Error("boom")
        c.set("nothingSent", behaviour === "nothingSent")
        return c.json(
          { success: behaviour === "send", n: runs.length },
          behaviour === "send" ? 200 : 429,
          { "X-Only-Fresh": "yes" },
        )
      },
    )
    .onError((_error, c) => c.json({ success: false }, 500))

const post = (body: string, key?: string) =>
  testApp().request("/send", {
    method: "POST",
    body,
    headers: key === undefined ? {} : { "idempotency-key": key },
  })

beforeEach(() => {
  memory = memoryStore()
  runs = []
  behaviour = "send"
})

describe("the idempotency middleware", () => {
  it("lets a request without a key through and stores nothing", async () => {
    const response = await post("A")
    expect(response.status).toBe(200)
    expect(runs).toEqual(["run -"])
    expect(memory.calls).toEqual([])
  })

  it("refuses a malformed key with a 400 naming the header, before the store", async () => {
    for (const key of ["has space", "", "x".repeat(256), "del\u007f"]) {
      const response = await post("A", key)
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({
        error: { code: "VALIDATION_ERROR", field: "Idempotency-Key" },
      })
    }
    expect(runs).toEqual([])
    expect(memory.calls).toEqual([])
  })

  it("claims the key with the canonical fingerprint and stores the answer", async () => {
    const first = await post("Hello", "k1")
    expect(first.status).toBe(200)
    expect(runs).toEqual(["run k1"])
    expect(memory.calls).toEqual(["begin k1 hello", "finish k1 200"])
    expect(memory.keys.get("k1")?.answer).toEqual({
      status: 200,
      body: JSON.stringify({ success: true, n: 1 }),
    })
  })

  it("replays the stored answer for the same canonical request, without running again", async () => {
    const first = await post("Hello", "k2")
    const again = await post("HELLO", "k2")
    expect(again.status).toBe(200)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
    expect(again.headers.get("content-type")).toMatch(/^application\/json/)
    expect(again.headers.get("x-only-fresh")).toBeNull()
    expect(await again.json()).toEqual(await first.json())
    expect(runs).toEqual(["run k2"])
  })

  it("422 for another request under the same key", async () => {
    await post("Hello", "k3")
    const reused = await post("Goodbye", "k3")
    expect(reused.status).toBe(422)
    expect(await reused.json()).toMatchObject({
      error: { code: "IDEMPOTENCY_KEY_REUSED", field: "Idempotency-Key" },
    })
    expect(runs).toEqual(["run k3"])
  })

  it("409 with Retry-After while the first request is in flight", async () => {
    memory.keys.set("k4", { fingerprint: "hello" })
    const busy = await post("Hello", "k4")
    expect(busy.status).toBe(409)
    expect(busy.headers.get("retry-after")).toBe("1")
    expect(await busy.json()).toMatchObject({
      error: { code: "IDEMPOTENCY_IN_PROGRESS", field: "Idempotency-Key" },
    })
    expect(runs).toEqual([])
  })

  it("releases the key when the handler says nothing was sent, so a retry runs", async () => {
    behaviour = "nothingSent"
    expect((await post("Hello", "k5")).status).toBe(429)
    expect(memory.keys.has("k5")).toBe(false)
    behaviour = "send"
    const retry = await post("Hello", "k5")
    expect(retry.status).toBe(200)
    expect(retry.headers.get("idempotent-replayed")).toBeNull()
    expect(runs).toEqual(["run k5", "run k5"])
    expect(memory.calls).toEqual([
      "begin k5 hello",
      "abandon k5",
      "begin k5 hello",
      "finish k5 200",
    ])
  })

  it("leaves the key in flight when the handler failed: whether it had an effect is unknown", async () => {
    behaviour = "throw"
    expect((await post("Hello", "k6")).status).toBe(500)
    expect(memory.calls).toEqual(["begin k6 hello"])
    behaviour = "send"
    expect((await post("Hello", "k6")).status).toBe(409)
  })
})
