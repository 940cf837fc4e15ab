import * as NodeServices from "@effect/platform-node/NodeServices"
import * as CliOutput from "effect/cli/CliOutput"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { voicepartner } from "./cli.js"
import { ExitCode } from "./commands/ExitCode.js"
import { helpFormatter } from "./output/help.js"

/** The package's version, injected by build.mjs from package.json. */
declare const __VOICEPARTNER_VERSION__: string
const version = typeof __VOICEPARTNER_VERSION__ === "string" ? __VOICEPARTNER_VERSION__ : "dev"

// Output piped into `head` (or any reader that stops early): end quietly, as `cat` does.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0)
    throw error
  })
}

const program = Command.run(voicepartner, { version }).pipe(
  Effect.provide(Layer.mergeAll(NodeServices.layer, CliOutput.layer(helpFormatter()))),
)

Effect.runPromiseExit(program).then((exit) => {
  // Parse errors (unknown flag, missing argument) are usage errors: nothing was sent.
  if (Exit.isFailure(exit)) process.exitCode = ExitCode.Usage
})
