import { describe, expect, it } from "vitest"
import { answer, dropBody, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

const drop = (key: string) =>
  gateway("/v1/campaign/send", {
    token: TOKENS.alpha,
    headers: { "idempotency-key": key },
    json: dropBody("0612345678"),
  }).then(answer)

describe("an upstream refusal sent nothing (core's nothingWasSent)", () => {
  it("frees the Idempotency-Key: once credit is back, the same key sends", async () => {
    h.upstream.setCredit(0)
    const refused = await drop("reminder-9")
    expect(refused.status).toBe(402)
    expect(refused.json.code).toBe("NOT_CREDIT")
    // Recorded for the client's audit, with its own send id.
    expect(refused.headers.get("x-gateway-send-id")).not.toBeNull()
    h.upstream.setCredit(100)
    const sent = await drop("reminder-9")
    expect(sent.status).toBe(200)
    expect(sent.headers.get("idempotent-replayed")).toBeNull()
    const view = await answer(
      await gateway(`/v1/campaigns/${refused.headers.get("x-gateway-send-id")}`, {
        token: TOKENS.alpha,
      }),
    )
    expect(view.json.send).toMatchObject({ outcome: "refused", status: 402 })
  })
})
