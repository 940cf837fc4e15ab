import { spawnSync } from "node:child_process"
import { copyFileSync, cpSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { bin, runIn, tempDir } from "./helpers.js"

const pkgDir = join(import.meta.dirname, "..")
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"))
const run = runIn(tempDir())

describe("packaging", () => {
  it("depends only on what the bundle does not contain (here: nothing)", () => {
    expect(pkg.dependencies ?? {}).toEqual({})
    expect(Object.keys(pkg.devDependencies)).toEqual(
      expect.arrayContaining(["@voicepartner/core", "effect", "@effect/platform-node"]),
    )
  })

  it("the built file runs with no node_modules next to it", () => {
    const alone = tempDir("vp-alone-")
    const copy = join(alone, "voicepartner.mjs")
    copyFileSync(bin, copy)
    const r = spawnSync(process.execPath, [copy, "--help"], { cwd: alone, encoding: "utf8" })
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    expect(r.stdout).toContain("SUBCOMMANDS")
  })

  it("--version prints the package.json version, injected at build time", () => {
    expect(run(["--version"]).stdout.trim()).toContain(pkg.version)
    // Build a copy whose package.json says another version: the binary must follow it.
    const copy = tempDir("vp-version-")
    cpSync(join(pkgDir, "src"), join(copy, "src"), { recursive: true })
    copyFileSync(join(pkgDir, "build.mjs"), join(copy, "build.mjs"))
    symlinkSync(join(pkgDir, "node_modules"), join(copy, "node_modules"))
    writeFileSync(join(copy, "package.json"), JSON.stringify({ ...pkg, version: "9.8.7-test" }))
    const built = spawnSync(process.execPath, ["build.mjs"], { cwd: copy, encoding: "utf8" })
    expect(built.stderr).toBe("")
    const r = spawnSync(process.execPath, [join(copy, "dist/voicepartner.mjs"), "--version"], {
      encoding: "utf8",
    })
    expect(r.stdout).toContain("9.8.7-test")
  }, 60_000)

  it("--help of every command names the environment variables, the config file and the exit codes", () => {
    for (const command of [
      [],
      ["tts", "send"],
      ["vms", "send"],
      ["credits"],
      ["audios", "list"],
      ["audios", "rename"],
      ["campaign", "cancel"],
      ["campaign", "status"],
    ]) {
      const r = run([...command, "--help"])
      const name = command.join(" ") || "voicepartner"
      expect(r.code, name).toBe(0)
      expect(r.stdout, name).toContain("VOICEPARTNER_API_KEY")
      expect(r.stdout, name).toContain("VOICEPARTNER_CONFIG")
      expect(r.stdout, name).toContain("config.json")
      expect(r.stdout, name).toMatch(/EXIT CODES[\s\S]*0[\s\S]*1[\s\S]*2[\s\S]*3/)
    }
    const tts = run(["tts", "send", "--help"]).stdout
    for (const flag of ["--text-file", "--column", "--list"]) expect(tts).toContain(flag)
  })
})
