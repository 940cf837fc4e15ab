import type { Context } from "hono"
import { Hono } from "hono"
import type { Emulator } from "./Emulator.js"
import { ProviderError } from "./errors.js"
import { DROP_HEADER, type Faults } from "./faults.js"
import { cents } from "./pricing.js"
import { sleep } from "./timers.js"

type Handler = (
  c: Context,
) => Promise<{ body: unknown; headers?: Readonly<Record<string, string>> }>

/**
 * The provider's HTTP surface over an {@link Emulator}: same paths, methods, bodies and
 * answers as `https://api.voicepartner.fr/v1`, plus `/__emulator/*` control endpoints.
 */
export const makeApp = (emulator: Emulator): Hono => {
  const app = new Hono()
  const maxBody = emulator.options.maxBodyBytes ?? 1_048_576

  const readJson = async (c: Context): Promise<Record<string, unknown>> => {
    const text = await c.req.text()
    if (text.length > maxBody)
      throw new ProviderError(413, "BODY_TOO_LARGE", `Body larger than ${maxBody} bytes`)
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      throw new ProviderError(400, 90, "Malformed JSON")
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      throw new ProviderError(400, 90, "The body must be a JSON object")
    }
    return json as Record<string, unknown>
  }

  /** Runs a provider endpoint: errors become the provider's error shape; every request is logged. */
  const endpoint = (name: string, handler: Handler) => async (c: Context) => {
    let status = 200
    let logged: unknown
    try {
      const fault = emulator.faults.decide(name === "tts/send" || name === "campaign/send")
      const latency = emulator.faults.latency()
      if (latency > 0) await sleep(latency)
      if (fault.kind === "drop-before") {
        status = 0
        return new Response(null, { headers: { [DROP_HEADER]: "before" } })
      }
      if (fault.kind === "error")
        throw new ProviderError(fault.status, fault.status, "Injected fault")
      const { body, headers } = await handler(c)
      if (fault.kind === "drop-after") {
        status = 0
        return new Response(null, { headers: { [DROP_HEADER]: "after" } })
      }
      return c.json(body as object, 200, headers)
    } catch (error) {
      const providerError =
        error instanceof ProviderError ? error : new ProviderError(500, 500, "Internal error")
      status = providerError.status
      return providerError.toResponse()
    } finally {
      logged = c.get("loggedBody" as never)
      emulator.record({
        method: c.req.method,
        path: redactPath(c.req.path),
        endpoint: name,
        status,
        ...(logged !== undefined && { body: logged }),
      })
    }
  }

  /**
   * Counts the request against the key's limits, then runs it. Every answer past the
   * limiter carries its `x-ratelimit-*` headers, a refusal (400, 402, 404…) included:
   * the request used its slot all the same.
   */
  const limited = (key: string, name: string, run: () => unknown) => {
    const headers = emulator.limit(key, name)?.headers
    try {
      return { body: run(), ...(headers !== undefined && { headers }) }
    } catch (error) {
      if (error instanceof ProviderError && headers !== undefined) {
        throw new ProviderError(error.status, error.code, error.message, {
          ...headers,
          ...error.headers,
        })
      }
      throw error
    }
  }

  const withBody = (name: string, run: (key: string, body: Record<string, unknown>) => unknown) =>
    endpoint(name, async (c) => {
      const body = await readJson(c)
      const { apiKey, ...rest } = body
      c.set("loggedBody" as never, rest as never)
      const key = emulator.authenticate(apiKey)
      return limited(key, name, () => run(key, body))
    })

  const inPath = (name: string, run: (key: string, c: Context) => unknown) =>
    endpoint(name, async (c) => {
      const key = emulator.authenticate(c.req.param("apiKey"))
      return limited(key, name, () => run(key, c))
    })

  app.get(
    "/v1/me/:apiKey",
    inPath("me", (key) => emulator.credits(key)),
  )
  app.get(
    "/v1/audios/:apiKey",
    inPath("audios", () => emulator.audios()),
  )
  app.post(
    "/v1/audio-file/rename",
    withBody("audio-file/rename", (_key, body) => emulator.rename(body)),
  )
  app.post(
    "/v1/campaign/send",
    withBody("campaign/send", (key, body) => emulator.send(key, "vms", body)),
  )
  app.post(
    "/v1/tts/send",
    withBody("tts/send", (key, body) => emulator.send(key, "tts", body)),
  )
  app.delete(
    "/v1/campaign/cancel/:apiKey/:campaignId",
    inPath("campaign/cancel", (key, c) => emulator.cancel(key, c.req.param("campaignId") ?? "")),
  )

  app.get("/__emulator/requests", (c) => c.json(emulator.state.requests))
  app.get("/__emulator/callbacks", (c) => c.json(emulator.state.callbacks))
  app.get("/__emulator/state", (c) => c.json(emulator.state))
  app.post("/__emulator/state", async (c) => {
    emulator.restore(await c.req.json())
    return c.json({ success: true })
  })
  app.post("/__emulator/faults", async (c) => {
    const faults = (await c.req.json().catch(() => undefined)) as Faults | undefined
    if (typeof faults !== "object" || faults === null || Array.isArray(faults)) {
      return c.json(
        { success: false, code: 90, message: "The body must be a JSON object of faults" },
        400,
      )
    }
    emulator.setFaults(faults)
    return c.json({ success: true, faults })
  })
  app.post("/__emulator/credits", async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as
      | { credit?: unknown; apiKey?: unknown }
      | undefined
    const credit = body?.credit
    const apiKey = body?.apiKey
    if (
      typeof body !== "object" ||
      body === null ||
      Array.isArray(body) ||
      typeof credit !== "number" ||
      !Number.isFinite(credit) ||
      credit < 0 ||
      (apiKey !== undefined && typeof apiKey !== "string")
    ) {
      return c.json(
        {
          success: false,
          code: 90,
          message: 'The body must be {"credit": EUR} or {"apiKey": "...", "credit": EUR}',
        },
        400,
      )
    }
    if (apiKey !== undefined && !Object.hasOwn(emulator.state.credits, apiKey)) {
      return c.json({ success: false, code: 10, message: "Unknown API key" }, 404)
    }
    const keys = emulator.setCredit(credit, apiKey)
    return c.json({ success: true, credit: cents(credit), keys })
  })
  app.post("/__emulator/reset", (c) => {
    emulator.reset()
    return c.json({ success: true })
  })
  app.post("/__emulator/run-due", async (c) => {
    await emulator.runDue()
    return c.json({ success: true })
  })

  app.notFound((c) => {
    const known =
      /^\/v1\/(me|audios|audio-file\/rename|campaign\/send|tts\/send|campaign\/cancel)(\/|$)/.test(
        c.req.path,
      )
    return known
      ? c.json({ success: false, code: 405, message: `Method ${c.req.method} not allowed` }, 405)
      : c.json({ success: false, code: 404, message: "Not found" }, 404)
  })
  app.onError((_error, c) => c.json({ success: false, code: 500, message: "Internal error" }, 500))
  return app
}

/** The key sits in the path of three endpoints: the request log never shows it. */
const redactPath = (path: string): string =>
  path
    .replace(/^\/v1\/(me|audios)\/[^/]+/, "/v1/$1/***")
    .replace(/^\/v1\/campaign\/cancel\/[^/]+/, "/v1/campaign/cancel/***")
