import { defaultPolicy } from "@voicepartner/core/ratelimit/RateLimitPolicy"
import { describe, expect, it } from "vitest"
import { parseRecipientText, readRecipients } from "../src/input/readRecipients.js"
import { makeSendPlan } from "../src/plan/sendPlan.js"

describe("recipient input", () => {
  it("reads one number per line with 1-based line numbers, skipping blanks", () => {
    expect(parseRecipientText("0612345678\n\n0712345678\n", "f.txt")).toEqual([
      { input: "0612345678", origin: "f.txt:1" },
      { input: "0712345678", origin: "f.txt:3" },
    ])
  })
  it("finds the phone column of a CSV with , or ; (quoted header too)", () => {
    expect(parseRecipientText('name,"Phone"\nA,0612345678', "a.csv")).toEqual([
      { input: "0612345678", origin: "a.csv:2" },
    ])
    expect(parseRecipientText("nom;numero\nA;0612345678", "b.csv")).toEqual([
      { input: "0612345678", origin: "b.csv:2" },
    ])
  })
  it("splits --to comma lists and reads - from stdin", () => {
    const entries = readRecipients(["0612345678,0712345678", "-"], [], () => "0612345679\n")
    expect(entries.map((e) => e.origin)).toEqual(["--to", "--to", "stdin:1"])
  })
  it("plans 200 voicemail-drop requests in 39 minutes (core's limiter algorithm)", () => {
    const entries = Array.from({ length: 100_000 }, (_, i) => ({
      input: `+336${String(i).padStart(8, "0")}`,
      origin: "--to",
    }))
    const plan = makeSendPlan(entries, "campaign/send", defaultPolicy)
    expect(plan.requests).toBe(200)
    expect(plan.estimatedMs).toBe(2_340_000)
  })
})
