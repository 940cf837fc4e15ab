#!/usr/bin/env node
// `pnpm dev`: the Voice Partner emulator on 127.0.0.1:8788, the gateway under
// `wrangler dev` on 127.0.0.1:8787 pointed at it, and a webhook receiver on
// 127.0.0.1:8789 that checks the gateway's signatures, per client, and prints each event.
import { spawn } from "node:child_process"
import { rmSync } from "node:fs"
import { createServer } from "node:http"
import { fileURLToPath } from "node:url"

const root = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url))
const { verifyWebhook } = await import(
  new URL("../packages/core/dist/webhooks/standardWebhooks.js", import.meta.url).href
)
// The development clients' webhook paths and secrets, as in packages/worker/dev.env: a
// path says which client an event claims to be for, and only that client's secret verifies it.
const DEV_CLIENTS = new Map([
  ["/webhooks/dev", { id: "dev", secret: "whsec_ZGV2LXdlYmhvb2stc2VjcmV0LWZvci1sb2NhbC11c2U=" }],
  ["/webhooks/dev2", { id: "dev2", secret: "whsec_ZGV2Mi13ZWJob29rLXNlY3JldC1mb3ItbG9jYWwtdXNl" }],
])

// Local traces are off (X_LOCAL_OBSERVABILITY below); a trace store that an earlier run
// left holds outbound URLs with the upstream key in them: it goes.
rmSync(root("packages/worker/.wrangler/state/v3/observability"), { recursive: true, force: true })

const children = []
// Nothing in development needs the internet: no `Request.cf` download, no telemetry.
// No local trace store either: it records every outbound URL, the upstream key included.
const env = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  X_LOCAL_OBSERVABILITY: "false",
}
const start = (command, args, cwd) => {
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "inherit", "inherit"] })
  children.push(child)
  child.on("exit", (code) => stop(code ?? 0))
  return child
}

start(process.execPath, [
  root("packages/emulator/dist/bin.js"),
  "--port",
  "8788",
  "--host",
  "127.0.0.1",
])
start(
  process.execPath,
  [
    root("packages/worker/node_modules/wrangler/bin/wrangler.js"),
    "dev",
    "--port",
    "8787",
    "--ip",
    "127.0.0.1",
    "--env-file",
    "dev.env",
    "--show-interactive-dev-session=false",
  ],
  root("packages/worker"),
)

const receiver = createServer(async (req, res) => {
  let payload = ""
  for await (const chunk of req) payload += chunk
  const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname
  const client = DEV_CLIENTS.get(path)
  if (client === undefined) {
    console.log(`[webhook] refused: no development client at ${path}`)
    res.writeHead(404).end()
    return
  }
  try {
    const event = await verifyWebhook({ secret: client.secret, headers: req.headers, payload })
    console.log(
      `[webhook ${client.id}] ${req.headers["webhook-id"]} verified: ${JSON.stringify(event)}`,
    )
    res.writeHead(204).end()
  } catch (error) {
    console.log(`[webhook ${client.id}] refused: ${error.message}`)
    res.writeHead(401).end()
  }
})
receiver.listen(8789, "127.0.0.1")

console.log(`
Gateway  http://127.0.0.1:8787  (client tokens: dev-token, and dev-token-2 for a second
                                 client on the same account, to try isolation and sharing)
Emulator http://127.0.0.1:8788  (its key: dev-key, audio token: dev-audio)
Webhooks http://127.0.0.1:8789  (/webhooks/dev and /webhooks/dev2: each client's events,
                                 verified with its own secret, are printed here)

Try it:
  curl -s http://127.0.0.1:8787/v1/tts/send -H 'authorization: Bearer dev-token' \\
    -H 'content-type: application/json' -d '{"phoneNumbers":"06 12 34 56 78","text":"Bonjour"}'
  curl -s http://127.0.0.1:8787/v1/campaigns/<campaignId> -H 'authorization: Bearer dev-token'
  curl -s http://127.0.0.1:8787/v1/campaigns/<campaignId> -H 'authorization: Bearer dev-token-2'
    (404: a client sees its own sends only)
Ctrl-C to stop.
`)

let stopping = false
function stop(code) {
  if (stopping) return
  stopping = true
  receiver.close()
  // Wait for the gateway and the emulator to let go of their ports (at most 10 s).
  const exits = children
    .filter((child) => child.exitCode === null)
    .map((child) => new Promise((resolve) => child.once("exit", resolve)))
  for (const child of children) child.kill("SIGTERM")
  setTimeout(() => process.exit(code), 10_000).unref()
  Promise.all(exits).then(() => process.exit(code))
}
process.once("SIGINT", () => stop(0))
process.once("SIGTERM", () => stop(0))
