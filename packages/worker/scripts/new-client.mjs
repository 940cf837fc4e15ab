#!/usr/bin/env node
// Creates a client for the gateway: prints its token (give it to the application, once)
// and the CLIENTS entry to store (only the token's SHA-256 is kept), then says where the
// entry goes and how the gateway picks it up. With --env-file FILE it also writes the entry
// into FILE's CLIENTS line (a dev env file such as dev.env), replacing a client of that id.
//
// Usage: pnpm --filter @voicepartner/worker new-client -- <id> [webhookUrl] [operations] [--env-file FILE]
//        (or, in packages/worker: node scripts/new-client.mjs -- …)
// pnpm runs the script in packages/worker: FILE is relative to it (`--env-file dev.env`).
// The `--` matters with --env-file: Node reads a later `--env-file` as its own option (in
// pnpm's process and in this script's) and exits when the file is not found from its
// working directory (nodejs/node#54232); it stops looking at `--`.
import { createHash, randomBytes } from "node:crypto"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { resolve } from "node:path"

const USAGE = `usage: pnpm --filter @voicepartner/worker new-client -- <id> [webhookUrl] [operations] [--env-file FILE]
  id:          1-64 letters, digits, _ or -
  webhookUrl:  where the client's delivery events are forwarded (https; see OUTBOUND_HTTP_ALLOW)
  operations:  comma-separated (default *): tts/send,campaign/send,me,audios,audio-file/rename,campaign/cancel,campaigns,broadcasts
  --env-file FILE  also write the entry into FILE's CLIENTS line (e.g. dev.env; relative to packages/worker)
  (the -- keeps Node from reading --env-file as its own option)`

const fail = (message) => {
  console.error(message)
  process.exit(2)
}

const positional = []
let envFile
const args = process.argv.slice(2)
for (let i = 0; i < args.length; i++) {
  const arg = args[i]
  if (arg === "--help" || arg === "-h") {
    console.log(USAGE)
    process.exit(0)
  } else if (arg === "--env-file") {
    envFile = args[++i]
    if (envFile === undefined || envFile === "") fail(`--env-file needs a file\n${USAGE}`)
  } else if (arg.startsWith("--env-file=")) {
    envFile = arg.slice("--env-file=".length)
    if (envFile === "") fail(`--env-file needs a file\n${USAGE}`)
  } else if (arg === "--") {
    // pnpm and npm may pass one through; nothing after it is an option either way
  } else if (arg.startsWith("-")) {
    fail(`unknown option ${arg}\n${USAGE}`)
  } else positional.push(arg)
}
const [id, webhookUrl, operations, extra] = positional
if (id === undefined || !/^[A-Za-z0-9_-]{1,64}$/.test(id) || extra !== undefined) fail(USAGE)
if (webhookUrl !== undefined) {
  // The gateway's outbound policy, in short (it checks every address spelling at start).
  let url
  try {
    url = new URL(webhookUrl)
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:"))
    fail("webhookUrl must be an absolute https URL")
  if (url.username !== "" || url.password !== "")
    fail("webhookUrl must not contain a user name or password")
  if (url.href.length > 2048) fail("webhookUrl must be at most 2048 characters")
  if (url.protocol === "http:")
    console.error(
      `warning: plain http is refused unless OUTBOUND_HTTP_ALLOW lists ${url.hostname}:${url.port || "80"}`,
    )
}

// The env file is read (and judged) before anything is made, so a refusal writes nothing.
const envPath = envFile === undefined ? undefined : resolve(envFile)
const env = envPath === undefined ? undefined : readEnvFile(envPath)

const token = `vpg_${randomBytes(32).toString("base64url")}`
const entry = {
  id,
  tokenSha256: createHash("sha256").update(token).digest("hex"),
  operations: operations === undefined ? ["*"] : operations.split(","),
  ...(webhookUrl !== undefined && {
    webhookUrl: new URL(webhookUrl).href,
    webhookSecret: `whsec_${randomBytes(32).toString("base64")}`,
  }),
}
console.log(`token (give it to the application; it is not stored): ${token}`)
console.log(`CLIENTS entry: ${JSON.stringify(entry)}`)

if (env === undefined) {
  console.log(`
Nothing was written. The gateway reads CLIENTS (a JSON array) when it starts; add this entry
  - locally (pnpm dev): to the CLIENTS line of packages/worker/dev.env, or run
      pnpm --filter @voicepartner/worker new-client -- ${id} … --env-file dev.env
    instead; then restart pnpm dev (wrangler dev reads its env file only when it starts);
  - in production: in packages/worker, npx wrangler secret put CLIENTS with the whole array,
    this entry added, on one line; it deploys a new version of the Worker that has it.`)
} else {
  const others = env.clients.filter((client) => client?.id !== id)
  const replaced = others.length !== env.clients.length
  const clients = [...others, entry]
  // Single-quoted, as in dev.env: the value is taken literally (a ' in it is escaped in JSON).
  const line = `CLIENTS='${JSON.stringify(clients).replaceAll("'", "\\u0027")}'`
  const lines = [...env.lines]
  if (env.index === undefined) {
    if (lines.length > 0 && lines[lines.length - 1] === "") lines.splice(lines.length - 1, 0, line)
    else lines.push(line)
  } else lines[env.index] = line
  writeFileSync(envPath, lines.join("\n"))
  const what = replaced
    ? `replaced the client "${id}" in the CLIENTS line of`
    : env.index === undefined
      ? "added a CLIENTS line, with this entry, to"
      : "added this entry to the CLIENTS line of"
  console.log(`
Written: ${what} ${envPath}
  (clients now: ${clients.map((client) => client?.id).join(", ")}).
  The running gateway does not have it yet: restart pnpm dev (or your wrangler dev
  --env-file), which reads the file only when it starts. In production the file is not
  used: in packages/worker, npx wrangler secret put CLIENTS with the same array.`)
}

/** The env file's lines and its CLIENTS array (the line's index, if it has one). */
function readEnvFile(path) {
  if (!existsSync(path))
    fail(`--env-file: ${path} does not exist (the path is relative to ${process.cwd()})`)
  const lines = readFileSync(path, "utf8").split("\n")
  const indexes = []
  lines.forEach((line, i) => {
    if (/^\s*(export\s+)?CLIENTS\s*=/.test(line)) indexes.push(i)
  })
  if (indexes.length > 1) fail(`--env-file: ${path} has ${indexes.length} CLIENTS lines; keep one`)
  if (indexes.length === 0) return { lines, index: undefined, clients: [] }
  const index = indexes[0]
  let value = lines[index].replace(/^\s*(export\s+)?CLIENTS\s*=\s*/, "").trim()
  const quote = value[0]
  if (
    (quote === "'" || quote === '"' || quote === "`") &&
    value.endsWith(quote) &&
    value.length > 1
  )
    value = value.slice(1, -1)
  let clients
  try {
    clients = JSON.parse(value)
  } catch {
    clients = undefined
  }
  if (!Array.isArray(clients))
    fail(
      `--env-file: the CLIENTS line of ${path} (line ${index + 1}) is not a JSON array on one line; nothing written`,
    )
  return { lines, index, clients }
}
