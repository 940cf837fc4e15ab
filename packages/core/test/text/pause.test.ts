import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { pause, pauseSeconds } from "../../src/text/pause.js"

describe("pause", () => {
  it("writes one comma per half second, spaced from the words", () => {
    expect(pause(0.5)).toBe(" , ")
    expect(pause(3)).toBe(" ,,,,,, ")
    expect(`un${pause(1)}deux`).toBe("un ,, deux")
  })

  it("rounds to the nearest half second", () => {
    expect(pause(1.2)).toBe(" ,, ")
    expect(pause(1.3)).toBe(" ,,, ")
  })

  it("refuses what would be lost or meaningless, naming the argument", () => {
    for (const bad of [0, 0.2, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => pause(bad)).toThrow(/seconds must be at least 0.5/)
    }
  })

  it("pauseSeconds measures what pause wrote", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (halves) => {
        expect(pauseSeconds(`a${pause(halves / 2)}b`)).toBe(halves / 2)
      }),
    )
    expect(pauseSeconds("un ,,,,,, deux")).toBe(3)
  })
})
