#!/usr/bin/env node
// Creates a client for the gateway: prints its token (give it to the application, once)
// and the CLIENTS entry to store (only the token's SHA-256 is kept).
// Usage: node scripts/new-client.mjs <id> [webhookUrl] [operations,comma,separated]
import { createHash, randomBytes } from "node:crypto"

const [id, webhookUrl, operations] = process.argv.slice(2)
if (id === undefined || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
  console.error("usage: node scripts/new-client.mjs <id> [webhookUrl] [operations]")
  console.error("  id: 1-64 letters, digits, _ or -")
  process.exit(2)
}
if (webhookUrl !== undefined) {
  // The gateway's outbound policy, in short (it checks every address spelling at start).
  let url
  try {
    url = new URL(webhookUrl)
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
    console.error("webhookUrl must be an absolute https URL")
    process.exit(2)
  }
  if (url.username !== "" || url.password !== "") {
    console.error("webhookUrl must not contain a user name or password")
    process.exit(2)
  }
  if (url.href.length > 2048) {
    console.error("webhookUrl must be at most 2048 characters")
    process.exit(2)
  }
  if (url.protocol === "http:")
    console.error(
      `warning: plain http is refused unless OUTBOUND_HTTP_ALLOW lists ${url.hostname}:${url.port || "80"}`,
    )
}
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
