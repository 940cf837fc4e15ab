import { env } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { sha256Hex } from "../src/auth/digest.js"
import { stableJson } from "../src/http/stableJson.js"
import { answer, dropBody, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

const send = (key: string, body: Record<string, unknown>, token = TOKENS.alpha) =>
  gateway("/v1/tts/send", { token, headers: { "idempotency-key": key }, json: body })

const sends = () => h.upstream.requests().filter((r) => r.path.endsWith("/tts/send"))

describe("Idempotency-Key", () => {
  it("answers a repeat with the stored response and sends nothing again", async () => {
    const body = { phoneNumbers: "0612345678", text: "Votre rendez-vous est demain" }
    const first = await answer(await send("order-42", body))
    // Same body, keys in another order: still the same request.
    const again = await answer(
      await send("order-42", { text: body.text, phoneNumbers: body.phoneNumbers }),
    )
    expect(first.status).toBe(200)
    expect(again.status).toBe(200)
    expect(again.json).toEqual(first.json)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
    expect(first.headers.get("idempotent-replayed")).toBeNull()
    expect(sends()).toHaveLength(1)
  })

  it("replays an honest retry that spells the same request differently", async () => {
    const first = await answer(
      await send("order-45", { phoneNumbers: "06 12 34 56 78", text: "Votre rendez-vous" }),
    )
    // Same numbers in E.164, in a list, and the default language written out: same request.
    const again = await answer(
      await send("order-45", {
        phoneNumbers: ["+33612345678"],
        text: "Votre rendez-vous",
        lang: "fr",
      }),
    )
    expect(first.status).toBe(200)
    expect(again.status).toBe(200)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
    expect(again.json).toEqual(first.json)
    expect(sends()).toHaveLength(1)
  })

  it("422 for the same key with the same numbers in another order", async () => {
    await send("order-46", { phoneNumbers: "0612345678,0611111111", text: "A" })
    const reordered = await answer(
      await send("order-46", { phoneNumbers: "0611111111,0612345678", text: "A" }),
    )
    expect(reordered.status).toBe(422)
    expect(sends()).toHaveLength(1)
  })

  it("still replays a key claimed by the previous version (raw-body fingerprint)", async () => {
    const body = { phoneNumbers: "06 12 34 56 78", text: "Avant la mise à jour" }
    const stored = { success: true, campaignId: "before-upgrade" }
    // What the previous version did: the key claimed with a hash of the raw body.
    const ledger = env.LEDGER.get(env.LEDGER.idFromName("alpha"))
    const legacy = await sha256Hex(`tts/send\n${stableJson(body)}`)
    expect((await ledger.beginIdempotent("alpha", "order-old", legacy)).kind).toBe("proceed")
    await ledger.finishIdempotent("order-old", 200, JSON.stringify(stored))
    const again = await answer(await send("order-old", body))
    expect(again.status).toBe(200)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
    expect(again.json).toEqual(stored)
    const other = await answer(await send("order-old", { ...body, text: "Autre" }))
    expect(other.status).toBe(422)
    expect(sends()).toHaveLength(0)
  })

  it("422 for the same key with another body", async () => {
    await send("order-43", { phoneNumbers: "0612345678", text: "A" })
    const reused = await answer(await send("order-43", { phoneNumbers: "0612345678", text: "B" }))
    expect(reused.status).toBe(422)
    expect(reused.json.error).toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
      field: "Idempotency-Key",
    })
    expect(sends()).toHaveLength(1)
  })

  it("never sends twice when duplicates arrive at the same time", async () => {
    const body = { phoneNumbers: "0612345678", text: "Concurrent" }
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => send("order-44", body).then(answer)),
    )
    expect(sends()).toHaveLength(1)
    for (const a of answers) expect([200, 409]).toContain(a.status)
    expect(
      answers.filter((a) => a.status === 200 && a.headers.get("idempotent-replayed") === null),
    ).toHaveLength(1)
    for (const a of answers.filter((x) => x.status === 409)) {
      expect(a.json.error.code).toBe("IDEMPOTENCY_IN_PROGRESS")
      expect(a.headers.get("retry-after")).toBe("1")
    }
  })

  it("keeps keys per client", async () => {
    const body = { phoneNumbers: "0612345678", text: "Per client" }
    await send("shared-key", body, TOKENS.alpha)
    const other = await answer(await send("shared-key", body, TOKENS.beta))
    expect(other.headers.get("idempotent-replayed")).toBeNull()
    expect(sends()).toHaveLength(2)
  })

  it("frees the key when nothing was sent (quota refusal), so a retry with it can go", async () => {
    const drop = (key: string) =>
      gateway("/v1/campaign/send", {
        token: TOKENS.alpha,
        headers: { "idempotency-key": key },
        json: dropBody("0612345678"),
      })
    for (let i = 0; i < 5; i++) expect((await drop(`k${i}`)).status).toBe(200)
    expect((await drop("k-late")).status).toBe(429)
    const stillRefused = await answer(await drop("k-late"))
    expect(stillRefused.status).toBe(429)
    expect(stillRefused.headers.get("idempotent-replayed")).toBeNull()
  })

  it("400 for a malformed key", async () => {
    const bad = await answer(await send("has space", { phoneNumbers: "0612345678", text: "x" }))
    expect(bad.status).toBe(400)
    expect(bad.json.error.field).toBe("Idempotency-Key")
    expect(sends()).toHaveLength(0)
  })
})
