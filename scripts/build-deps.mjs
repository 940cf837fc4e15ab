#!/usr/bin/env node
// `pnpm --filter <package> test` on a fresh clone: builds what the package's tests need
// (itself and the workspace packages it depends on) through turbo, so that its cache makes
// this a no-op when `pnpm test` at the root has already built everything.
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"

const { name } = JSON.parse(readFileSync("package.json", "utf8"))
const turbo = spawnSync(
  "pnpm",
  ["exec", "turbo", "run", "build", `--filter=${name}...`, "--output-logs=errors-only"],
  { stdio: "inherit", env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" } },
)
process.exit(turbo.status ?? 1)
