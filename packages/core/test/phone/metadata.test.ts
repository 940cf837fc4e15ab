import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import {
  countryPlans,
  frenchNational,
  metadataSource,
} from "../../src/internal/phone/metadata.generated.js"

const script = fileURLToPath(new URL("../../scripts/generate-phone-metadata.mjs", import.meta.url))

describe("the generated numbering metadata", () => {
  it("is what scripts/generate-phone-metadata.mjs generates from the installed libphonenumber-js", () => {
    // --check exits 1 (and execFileSync throws with its message) when the committed file differs
    const out = execFileSync(process.execPath, [script, "--check"], { encoding: "utf8" })
    expect(out).toContain("up to date")
  })

  it("names its source", async () => {
    const { version } = (await import("libphonenumber-js/package.json", { with: { type: "json" } }))
      .default as { version: string }
    expect(metadataSource).toBe(`libphonenumber-js ${version}`)
  })

  it("has a plan for every assigned calling code and an exact French one", () => {
    expect(countryPlans.split(";").length).toBeGreaterThan(200)
    expect(frenchNational.startsWith("x")).toBe(true)
  })
})
