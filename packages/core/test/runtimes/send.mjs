// Imports the BUILT core exactly as a user would, performs one voice SMS against the
// fake upstream whose base URL is the first argument, and prints the answer as JSON.
// Runs unchanged under Node, Deno and Bun.
import { createClient } from "../../dist/index.js"

const baseUrl = globalThis.Deno?.args?.[0] ?? globalThis.process?.argv?.[2]
const voice = createClient({ apiKey: "runtime-key", baseUrl })
const sent = await voice.sendTts({ phoneNumbers: "06 12 34 56 78", text: "Bonjour" })
await voice.close()
console.log(JSON.stringify({ campaignId: sent.campaignId, cost: sent.cost }))
