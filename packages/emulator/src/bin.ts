import { parseArgs } from "node:util"
import { startEmulatorServer } from "./node.js"

const usage = `voicepartner-emulator — a local Voice Partner API

Usage: voicepartner-emulator [--port 8788] [--host 127.0.0.1] [--api-key KEY]... [--callback-delay MS] [--credits EUR] [--no-rate-limit]

  --port            port to listen on (default 8788; 0 = any free port)
  --host            address to bind (default 127.0.0.1)
  --api-key         a valid API key, repeatable (default dev-key; env VOICEPARTNER_EMULATOR_KEYS=a,b)
  --callback-delay  milliseconds between a send and its callbacks (default 2000)
  --credits         starting credit of each key, in EUR (default 100; env VOICEPARTNER_EMULATOR_CREDITS)
  --no-rate-limit   disable the provider's rate limits (benchmarks)

Credit can also be set at run time: curl -X POST http://127.0.0.1:8788/__emulator/credits -d '{"credit":5000}'

Example: voicepartner-emulator --port 8788 && curl http://127.0.0.1:8788/v1/me/dev-key`

// `pnpm start -- --port 8788` hands the script its `--` too: a leading one is not an
// end-of-options marker here (this command takes no positional arguments).
const argv = process.argv.slice(2)
if (argv[0] === "--") argv.shift()

const parsed = (() => {
  try {
    return parseArgs({
      args: argv,
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
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`)
    process.exit(2)
  }
})()
const { values } = parsed

if (values.help === true) {
  console.log(usage)
  process.exit(0)
}

const number = (name: string, raw: string | undefined, fallback: number): number => {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (raw.trim() === "" || !Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number, got "${raw}"`)
    process.exit(2)
  }
  return n
}

/** A credit in EUR (cents allowed), from the flag or else the environment variable. */
const amount = (flag: string | undefined, env: string | undefined, fallback: number): number => {
  const raw = flag ?? env
  if (raw === undefined || (flag === undefined && raw.trim() === "")) return fallback
  const n = Number(raw)
  if (raw.trim() === "" || !Number.isFinite(n) || n < 0) {
    const source = flag !== undefined ? "--credits" : "VOICEPARTNER_EMULATOR_CREDITS"
    console.error(`${source} must be an amount in EUR (e.g. 5000 or 12.50), got "${raw}"`)
    process.exit(2)
  }
  return Math.round(n * 100) / 100
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
  credits: amount(values.credits, process.env.VOICEPARTNER_EMULATOR_CREDITS, 100),
})
console.log(`Voice Partner emulator listening on ${server.baseUrl}`)

const stop = () => {
  void server.close().then(() => process.exit(0))
}
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
