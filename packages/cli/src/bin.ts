import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Command from "effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { voicepartner } from "./cli.js"
import { ExitCode } from "./commands/ExitCode.js"

const program = Command.run(voicepartner, { version: "0.0.0" }).pipe(
  Effect.provide(NodeServices.layer),
)

Effect.runPromiseExit(program).then((exit) => {
  // Parse errors (unknown flag, missing argument) are usage errors: nothing was sent.
  if (Exit.isFailure(exit)) process.exitCode = ExitCode.Usage
})
