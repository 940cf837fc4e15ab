// Floors for the latency benchmark: the least any exact gateway does per send. It
// reserves a slot with one SQLite write in a Durable Object (the account's quota), then
// forwards the body to `TARGET` with one fetch; no authentication, validation, signing or
// bookkeeping. With a `RECORDS` binding it also records the answer with one SQLite write
// in a second Durable Object (the client's ledger, as the gateway does) before answering.
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

export class Records extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env)
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS sends (at INTEGER NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL)",
    )
  }

  record(status, body) {
    this.ctx.storage.sql.exec("INSERT INTO sends VALUES (?, ?, ?)", Date.now(), status, body)
  }
}

export default {
  async fetch(request, env) {
    const body = await request.text()
    await env.SLOTS.get(env.SLOTS.idFromName("account")).reserve()
    const answer = await fetch(env.TARGET, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    })
    if (env.RECORDS === undefined) return answer
    const text = await answer.text()
    await env.RECORDS.get(env.RECORDS.idFromName("client")).record(answer.status, text)
    return new Response(text, {
      status: answer.status,
      headers: { "content-type": "application/json" },
    })
  },
}
