#!/usr/bin/env node
// `pnpm dev`: the local Voice Partner emulator on 127.0.0.1:8788, built first by the root
// script. The gateway (packages/worker) joins it here when it lands.
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const emulatorBin = fileURLToPath(new URL("../packages/emulator/dist/bin.js", import.meta.url))
const emulator = spawn(process.execPath, [emulatorBin, "--port", "8788", "--host", "127.0.0.1"], {
  stdio: ["ignore", "inherit", "inherit"],
})

console.log(`
Try it (development key dev-key, audio token dev-audio):
  curl -s http://127.0.0.1:8788/v1/me/dev-key
  curl -s http://127.0.0.1:8788/v1/tts/send -H 'content-type: application/json' \\
    -d '{"apiKey":"dev-key","phoneNumbers":"06 12 34 56 78","text":"Bonjour"}'
  curl -s http://127.0.0.1:8788/__emulator/requests
Ctrl-C to stop.
`)

const stop = () => emulator.kill("SIGTERM")
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
emulator.on("exit", (code) => process.exit(code ?? 0))
