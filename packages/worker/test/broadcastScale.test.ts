// The largest broadcast the gateway takes: 1,000,000 rows (about 15 MB of JSON) are
// planned in the request's isolate and stored in the broadcast's object in batches. Nothing
// is sent: it starts an hour ahead. Takes ~10 s.
import { describe, expect, it } from "vitest"
import { answer, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

useHarness()

describe("a broadcast of 1,000,000 recipients", () => {
  it("is planned and stored: 2,000 chunks, every recipient a row", async () => {
    const recipients = Array.from(
      { length: 1_000_000 },
      (_, i) => `+336${String(i).padStart(8, "0")}`,
    )
    const created = await answer(
      await gateway("/v1/broadcasts", {
        token: TOKENS.alpha,
        json: {
          type: "voicemail",
          message: { tokenAudio: "dev-audio", emailForNotification: "ops@example.com" },
          recipients,
          startAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      }),
    )
    expect(created.status).toBe(201)
    expect(created.json.plan.requests).toBe(2000)
    const id = created.json.id as string
    const shown = await answer(await gateway(`/v1/broadcasts/${id}`, { token: TOKENS.alpha }))
    expect(shown.json).toMatchObject({
      status: "scheduled",
      chunks: { total: 2000, pending: 2000 },
      recipientCounts: { valid: 1_000_000, pending: 1_000_000 },
    })
    const last = await answer(
      await gateway(`/v1/broadcasts/${id}/recipients?cursor=999999`, { token: TOKENS.alpha }),
    )
    expect(last.json.recipients).toEqual([
      expect.objectContaining({ row: 1_000_000, phoneNumber: "+33600999999", chunk: 1999 }),
    ])
    expect(last.json.nextCursor).toBeNull()
  }, 120_000)
})
