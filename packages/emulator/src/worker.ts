import { createEmulator, type InProcessEmulator } from "./index.js"

/** Bindings of the emulator's Worker (see wrangler.jsonc). */
interface EmulatorEnv {
  /** Comma-separated valid API keys; default `dev-key`. */
  readonly VOICEPARTNER_EMULATOR_KEYS?: string
  readonly CALLBACK_DELAY_MS?: string
  /** Starting credit of each key, in EUR; default 100. */
  readonly VOICEPARTNER_EMULATOR_CREDITS?: string
  /** `"false"` disables the rate limits. */
  readonly RATE_LIMITS?: string
}

interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void
}

// One emulator per isolate: state lives in memory and is lost when the isolate is evicted,
// which is what a development stand-in needs (use the Node server for long-lived state).
let emulator: InProcessEmulator | undefined

const credits = (raw: string | undefined): number | undefined => {
  const n = raw === undefined || raw.trim() === "" ? Number.NaN : Number(raw)
  return Number.isFinite(n) && n >= 0 ? n : undefined
}

const emulatorFor = (env: EmulatorEnv): InProcessEmulator => {
  emulator ??= createEmulator({
    credits: credits(env.VOICEPARTNER_EMULATOR_CREDITS),
    apiKeys: (env.VOICEPARTNER_EMULATOR_KEYS ?? "dev-key").split(",").map((k) => k.trim()),
    callbackDelayMs: Number(env.CALLBACK_DELAY_MS ?? 2_000),
    rateLimits: env.RATE_LIMITS !== "false",
    timers: false,
  })
  return emulator
}

/** The emulator as a Cloudflare Worker: `wrangler dev` in this package serves it. */
export default {
  async fetch(request: Request, env: EmulatorEnv, ctx: WaitUntil): Promise<Response> {
    const voicePartner = emulatorFor(env)
    const response = await voicePartner.handle(request)
    // Callbacks and scheduled sends due in the next 25 s run after the answer.
    ctx.waitUntil(voicePartner.emulator.settle(25_000))
    // A Worker cannot reset its client's connection: an injected drop becomes a bodiless 502.
    return response.headers.has("x-voicepartner-emulator-drop")
      ? new Response(null, { status: 502 })
      : response
  },
}
