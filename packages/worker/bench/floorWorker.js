// A floor for the latency benchmark: the least any exact gateway does per send. It
// reserves a slot with one SQLite write in a Durable Object, then forwards the body to
// `TARGET` with one fetch; no authentication, validation, signing or bookkeeping.
import { DurableObject } from "cloudflare:workers"

export class Slots extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env)
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS admissions (at INTEGER NOT NULL)")
  }

  reserve() {
    this.ctx.storage.sql.exec("INSERT INTO admissions (at) VALUES (?)", Date.now())
    return true
  }
}

export default {
  async fetch(request, env) {
    const body = await request.text()
    await env.SLOTS.get(env.SLOTS.idFromName("account")).reserve()
    return fetch(env.TARGET, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    })
  },
}
