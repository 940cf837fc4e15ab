import { parseArgs } from "node:util"
import { startEmulatorServer } from "./node.js"

const usage = `voicepartner-emulator — a local Voice Partner API

Usage: voicepartner-emulator [--port 8788] [--host 127.0.0.1] [--api-key KEY]... [--callback-delay MS] [--credits EUR] [--no-rate-limit]

  --port            port to listen on (default 8788; 0 = any free port)
  --host            address to bind (default 127.0.0.1)
  --api-key         a valid API key, repeatable (default dev-key; env VOICEPARTNER_EMULATOR_KEYS=a,b)
  --callback-delay  milliseconds between a send and its callbacks (default 2000)
  --credits         starting credit of each key, in EUR (default 100)
  --no-rate-limit   disable the provider's rate limits (benchmarks)

Example: voicepartner-emulator --port 8788 && curl http://127.0.0.1:8788/v1/me/dev-key`

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    host: { type: "string" },
    "api-key": { type: "string", multiple: true },
    "callback-delay": { type: "string" },
    "no-rate-limit": { type: "boolean" },
    credits: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
})

if (values.help === true) {
  console.log(usage)
  process.exit(0)
}

const number = (name: string, raw: string | undefined, fallback: number): number => {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number, got "${raw}"`)
    process.exit(2)
  }
  return n
}

const envKeys = process.env.VOICEPARTNER_EMULATOR_KEYS?.split(",")
  .map((k) => k.trim())
  .filter((k) => k.length > 0)
const server = await startEmulatorServer({
  port: number("port", values.port, 8788),
  host: values.host ?? "127.0.0.1",
  apiKeys: values["api-key"] ?? envKeys ?? ["dev-key"],
  callbackDelayMs: number("callback-delay", values["callback-delay"], 2_000),
  rateLimits: values["no-rate-limit"] !== true,
  credits: number("credits", values.credits, 100),
})
console.log(`Voice Partner emulator listening on ${server.baseUrl}`)

const stop = () => {
  void server.close().then(() => process.exit(0))
}
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
