// The real thing on 127.0.0.1: `wrangler dev` running the gateway, the Node emulator and a
// webhook receiver. Every wait is bounded; every process is stopped by `close()`.
import { type ChildProcess, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type EmulatorServer, startEmulatorServer } from "@voicepartner/emulator/node"

export const UPSTREAM_KEY = "e2e-upstream-key-3b7d91"
export const CALLBACK_KEY = "e2e-callback-signing-key-5c2e"
export const WEBHOOK_SECRET = "whsec_ZTJlLXdlYmhvb2stc2VjcmV0LTMyLWJ5dGVzLW9rIQ=="
export const TOKENS = [
  "e2e-token-a-81f2",
  "e2e-token-b-92e3",
  "e2e-token-c-a3d4",
  "e2e-token-d-b4c5",
]
export const SECRETS = [UPSTREAM_KEY, CALLBACK_KEY, WEBHOOK_SECRET, ...TOKENS]

const workerDir = fileURLToPath(new URL("..", import.meta.url))
const wranglerBin = join(workerDir, "node_modules/wrangler/bin/wrangler.js")

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
    server.once("error", reject)
  })

export interface Received {
  readonly headers: IncomingHttpHeaders
  readonly body: string
  readonly status: number
}

/** A webhook receiver: `status(id, n)` decides the answer to the n-th try of an event. */
export const startReceiver = async (status: (id: string, attempt: number) => number) => {
  const received: Array<Received> = []
  const tries = new Map<string, number>()
  const server: Server = createServer(async (req, res) => {
    let body = ""
    for await (const chunk of req) body += chunk
    const id = String(req.headers["webhook-id"])
    const attempt = (tries.get(id) ?? 0) + 1
    tries.set(id, attempt)
    const code = status(id, attempt)
    received.push({ headers: req.headers, body, status: code })
    res.writeHead(code).end()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export interface Gateway {
  readonly url: string
  readonly logs: Array<string>
  /** Where `wrangler dev` persists the Durable Objects' state (`--persist-to`). */
  readonly stateDir: string
  restart(): Promise<void>
  /** Stops `wrangler dev`, keeping its state on disk (to inspect it). */
  stop(): Promise<void>
  close(): Promise<void>
}

/** What the gateway is configured with: four clients sharing one webhook receiver. */
export interface GatewaySetup {
  readonly upstreamBaseUrl: string
  readonly webhookUrl: string
  readonly retrySchedule: string
  /**
   * The gateway's own origin (`PUBLIC_URL`), on which callback URLs are minted.
   * `startGateway` sets it; the default is a placeholder no callback reaches.
   */
  readonly publicUrl?: string
  /** More bindings, e.g. `RATE_LIMIT_POLICY`. */
  readonly vars?: Readonly<Record<string, string>>
}

/** `host:port` of a URL, the port always written (the form `OUTBOUND_HTTP_ALLOW` takes). */
const hostPort = (url: string): string => {
  const { hostname, port, protocol } = new URL(url)
  return `${hostname}:${port === "" ? (protocol === "https:" ? "443" : "80") : port}`
}

/** The gateway's bindings for a setup; the receiver is the one plain-http host allowed. */
export const gatewayBindings = (options: GatewaySetup): Record<string, string> => ({
  PUBLIC_URL: options.publicUrl ?? "http://gateway.invalid",
  OUTBOUND_HTTP_ALLOW: hostPort(options.webhookUrl),
  VOICEPARTNER_API_KEY: UPSTREAM_KEY,
  VOICEPARTNER_BASE_URL: options.upstreamBaseUrl,
  CALLBACK_SIGNING_KEY: CALLBACK_KEY,
  CLIENTS: JSON.stringify(
    TOKENS.map((token, i) => ({
      id: `client-${i + 1}`,
      tokenSha256: createHash("sha256").update(token).digest("hex"),
      operations: ["*"],
      webhookUrl: options.webhookUrl,
      webhookSecret: WEBHOOK_SECRET,
    })),
  ),
  WEBHOOK_RETRY_SCHEDULE: options.retrySchedule,
  ...options.vars,
})

/** Starts `wrangler dev` with those bindings in an env file, state persisted in a temp dir. */
export const startGateway = async (options: GatewaySetup): Promise<Gateway> => {
  const dir = mkdtempSync(join(tmpdir(), "vp-gateway-e2e-"))
  const port = await freePort()
  const envFile = join(dir, "e2e.env")
  const stateDir = join(dir, "state")
  const url = `http://127.0.0.1:${port}`
  writeFileSync(
    envFile,
    Object.entries(gatewayBindings({ ...options, publicUrl: url }))
      .map(([k, v]) => `${k}='${v}'`)
      .join("\n"),
  )
  const logs: Array<string> = []
  let child: ChildProcess | undefined
  const start = async () => {
    const inspector = await freePort()
    child = spawn(
      process.execPath,
      [
        wranglerBin,
        "dev",
        "--port",
        String(port),
        "--ip",
        "127.0.0.1",
        "--inspector-port",
        String(inspector),
        "--env-file",
        envFile,
        "--persist-to",
        stateDir,
        "--show-interactive-dev-session=false",
      ],
      {
        cwd: workerDir,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          CLOUDFLARE_CF_FETCH_ENABLED: "false",
          // As in pnpm dev: no local trace store (it records outbound URLs, keys included).
          X_LOCAL_OBSERVABILITY: "false",
          WRANGLER_SEND_METRICS: "false",
          NO_COLOR: "1",
        },
      },
    )
    for (const stream of [child.stdout, child.stderr])
      stream?.on("data", (chunk: Buffer) =>
        logs.push(...chunk.toString().split("\n").filter(Boolean)),
      )
    const deadline = Date.now() + 90_000
    for (;;) {
      if (Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${logs.join("\n")}`)
      const ok = await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
      if (ok) return
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  const stop = async () => {
    const running = child
    if (running === undefined || running.exitCode !== null) return
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()))
    running.kill("SIGINT")
    const timer = setTimeout(() => running.kill("SIGKILL"), 10_000)
    await exited
    clearTimeout(timer)
  }
  await start()
  return {
    url,
    logs,
    stateDir,
    stop,
    restart: async () => {
      await stop()
      await start()
    },
    close: async () => {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const startEmulator = (
  options: { readonly callbackDelayMs?: number; readonly rateLimits?: boolean } = {},
): Promise<EmulatorServer> =>
  startEmulatorServer({ port: 0, apiKeys: [UPSTREAM_KEY], callbackDelayMs: 300, ...options })

/** Waits (bounded) until `done()` holds. */
export const eventually = async (done: () => boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
