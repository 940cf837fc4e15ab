// What the broadcast end-to-end tests share: the Node emulator (its own voicemail-drop
// limit, a little looser than the gateway's: arrival times jitter, but any burst past the
// gateway's policy is still a 429), a webhook receiver and `wrangler dev` under a sped-up
// policy; a client's calls, checked for secrets; a broadcast's status polled (bounded);
// the drops the emulator received and their numbers.
import { type EmulatorServer, startEmulatorServer } from "@voicepartner/emulator/node"
import { expect } from "vitest"
import { type Gateway, SECRETS, startGateway, startReceiver, UPSTREAM_KEY } from "./stack.js"

/** A broadcast test's servers. */
export interface BroadcastStack {
  readonly emulator: EmulatorServer
  readonly gateway: Gateway
  readonly receiver: Awaited<ReturnType<typeof startReceiver>>
  close(): Promise<void>
}

/** How the stack is set up. */
export interface BroadcastStackSetup {
  /** The gateway's voicemail drops per window (`RATE_LIMIT_POLICY`). */
  readonly limit: number
  readonly windowMs: number
  /** The emulator's own window for the same limit (shorter: tolerance for jitter). */
  readonly providerWindowMs: number
  /** The emulator's starting credit, in EUR. */
  readonly credits: number
  /** More gateway bindings (e.g. `BROADCAST_RESERVE`). */
  readonly vars?: Readonly<Record<string, string>>
}

/** Starts the emulator, a receiver answering 204 and `wrangler dev`. */
export const startBroadcastStack = async (setup: BroadcastStackSetup): Promise<BroadcastStack> => {
  const emulator = await startEmulatorServer({
    port: 0,
    apiKeys: [UPSTREAM_KEY],
    callbackDelayMs: 300,
    credits: setup.credits,
    rateLimits: { "campaign/send": [{ limit: setup.limit, windowMs: setup.providerWindowMs }] },
  })
  const receiver = await startReceiver(() => 204)
  const gateway = await startGateway({
    upstreamBaseUrl: emulator.baseUrl,
    webhookUrl: receiver.url,
    retrySchedule: "1",
    vars: {
      RATE_LIMIT_POLICY: JSON.stringify({
        "campaign/send": [{ limit: setup.limit, windowMs: setup.windowMs }],
      }),
      ...setup.vars,
    },
  })
  return {
    emulator,
    gateway,
    receiver,
    close: async () => {
      await gateway.close()
      await receiver.close()
      await emulator.close()
    },
  }
}

/** The calls of the client holding `token`, to the stack's gateway (read at each call): JSON in and out, no secret in the answer. */
export const clientCall =
  (stack: () => BroadcastStack, token: string) =>
  async (path: string, init: { readonly method?: string; readonly body?: unknown } = {}) => {
    const response = await fetch(`${stack().gateway.url}${path}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    })
    const text = await response.text()
    for (const secret of SECRETS) expect(text).not.toContain(secret)
    return { status: response.status, json: JSON.parse(text) }
  }

/** A call as one client (see {@link clientCall}). */
export type ClientCall = ReturnType<typeof clientCall>

/** The broadcast's status, polled (bounded) until `done` holds. */
export const untilBroadcast = async (
  call: ClientCall,
  id: string,
  done: (s: { status: string }) => boolean,
  timeoutMs: number,
) => {
  let last: { status: string } = { status: "?" }
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const shown = await call(`/v1/broadcasts/${id}`).catch(() => undefined)
    if (shown?.status === 200) {
      last = shown.json
      if (done(last)) return shown.json
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`broadcast ${id} still ${last.status} after ${timeoutMs} ms`)
}

/** The voicemail drops the emulator received, in order. */
export const dropsOf = (emulator: EmulatorServer) =>
  emulator.emulator.requests().filter((r) => r.path.endsWith("/campaign/send"))

/** The numbers of one of them. */
export const numbersOf = (r: { readonly body?: unknown }) =>
  String((r.body as { phoneNumbers: string }).phoneNumbers).split(",")
