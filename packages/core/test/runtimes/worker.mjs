// The same send from inside a Worker (workerd): bundled by the test, then run by Miniflare.
import { createClient } from "../../dist/index.js"

export default {
  async fetch(request) {
    const baseUrl = new URL(request.url).searchParams.get("upstream")
    const voice = createClient({ apiKey: "runtime-key", baseUrl })
    const sent = await voice.sendTts({ phoneNumbers: "06 12 34 56 78", text: "Bonjour" })
    await voice.close()
    return Response.json({ campaignId: sent.campaignId, cost: sent.cost })
  },
}
