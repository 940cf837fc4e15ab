import type { SendError } from "@voicepartner/core/client/VoicePartnerClient"
import { VoicePartnerClient } from "@voicepartner/core/client/VoicePartnerClient"
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import { broadcastCommand } from "./commands/broadcastCommand.js"
import { DEFAULT_MAX_COST } from "./commands/confirm.js"
import { ExitCode } from "./commands/ExitCode.js"
import {
  columnFlag,
  gatewayFlags,
  messageFlags,
  opt,
  optionalString,
  toggle,
  yesFlag,
} from "./commands/flags.js"
import { attempt, fromPromise, handler } from "./commands/handler.js"
import { send } from "./commands/send.js"
import { connect, gatewayCampaignStatus } from "./config/connection.js"
import { resolveText } from "./input/messageText.js"

const connection = {
  baseUrl: optionalString(
    "base-url",
    "API base URL (e.g. the emulator's http://127.0.0.1:8788/v1)",
  ),
  ...gatewayFlags("Send through our gateway at this URL"),
}

const recipients = {
  to: Flag.String("to").pipe(
    Flag.withDescription("Recipient(s), repeatable, comma lists; - for stdin"),
    Flag.atLeast(0),
  ),
  toFile: Flag.String("to-file").pipe(
    Flag.withDescription(
      "File with one number per line, or a CSV (; , or tab; UTF-8 or Windows-1252) with a phone column (Téléphone, Portable, Mobile, Phone, GSM…); - for stdin",
    ),
    Flag.atLeast(0),
  ),
  column: columnFlag(
    "The CSV's phone column, by header name or 1-based number, when it has several or none is recognised",
  ),
  dryRun: toggle(
    "dry-run",
    "Print the plan (rows, kinds, invalid rows, requests, time, estimated cost), send nothing; exit 2 if nothing is valid",
  ),
  list: toggle("list", "With --dry-run: print every number too"),
  progress: toggle("progress", "With --json: NDJSON progress events"),
  chunkSize: Flag.Int("chunk-size").pipe(
    Flag.withDefault(500),
    Flag.withDescription("Numbers per request (1–500)"),
  ),
  failedOut: Flag.String("failed-out").pipe(
    Flag.withDescription("Where numbers not sent are written"),
    Flag.withDefault("voicepartner-not-sent.txt"),
  ),
  at: optionalString("at", "Send at (YYYY-MM-DD HH:MM in Europe/Paris, or ISO 8601 with offset)"),
  notifyUrl: optionalString("notify-url", "Callback URL for delivery statuses"),
  yes: yesFlag(
    "Send without asking, even when landlines would ring or the cost passes --max-cost (needed without a terminal)",
  ),
  maxCost: Flag.Finite("max-cost").pipe(
    Flag.withDescription(
      `Ask before sending when the estimated cost passes this many EUR (default ${DEFAULT_MAX_COST})`,
    ),
    Flag.optional,
  ),
  resend: toggle(
    "resend",
    "Through the gateway: send again what an earlier run of the same command sent (new Idempotency-Keys; without it a re-run within 24 h replays)",
  ),
}

const sendFlags = (c: {
  readonly baseUrl: Option.Option<string>
  readonly gateway: Option.Option<string>
  readonly token: Option.Option<string>
  readonly json: boolean
  readonly to: ReadonlyArray<string>
  readonly toFile: ReadonlyArray<string>
  readonly column: Option.Option<string>
  readonly dryRun: boolean
  readonly list: boolean
  readonly progress: boolean
  readonly failedOut: string
  readonly chunkSize: number
  readonly yes: boolean
  readonly maxCost: Option.Option<number>
  readonly resend: boolean
}) => ({
  chunkSize: c.chunkSize,
  yes: c.yes,
  maxCost: opt(c.maxCost),
  resend: c.resend,
  column: opt(c.column),
  list: c.list,
  ...connectionFlags(c),
  json: c.json,
  to: c.to,
  toFile: c.toFile,
  dryRun: c.dryRun,
  progress: c.progress,
  failedOut: c.failedOut,
})

const ttsSend = Command.make(
  "send",
  {
    ...connection,
    ...recipients,
    textArg: Argument.String("text").pipe(
      Argument.withDescription("Text to read; - reads it from stdin"),
      Argument.optional,
    ),
    text: messageFlags.text("Text to read; - reads it from stdin"),
    textFile: messageFlags.textFile(
      "Read the text from a file (UTF-8 or Windows-1252); - for stdin",
    ),
    audio: messageFlags.audio("Audio token played instead of a text"),
    lang: messageFlags.lang("Language of the text (default fr)"),
    rate: messageFlags.rate,
  },
  (c) =>
    handler(
      Effect.gen(function* () {
        const text = yield* fromPromise(() =>
          resolveText(
            { arg: opt(c.textArg), flag: opt(c.text), file: opt(c.textFile) },
            c.to.includes("-") || c.toFile.includes("-"),
          ),
        )
        const textFromStdin = [opt(c.textArg), opt(c.text), opt(c.textFile)].includes("-")
        return yield* send(
          { ...sendFlags(c), stdinTaken: textFromStdin },
          {
            endpoint: "tts/send",
            message: {
              text,
              tokenAudio: opt(c.audio),
              lang: opt(c.lang),
              speechRate: opt(c.rate),
              scheduledDate: opt(c.at),
              notifyUrl: opt(c.notifyUrl),
            },
          },
        )
      }),
    ),
).pipe(
  Command.withDescription("Send a voice SMS (text-to-speech or audio) to any number of recipients"),
  Command.withExamples([
    {
      command: 'voicepartner tts send "Bonjour, votre colis arrive" --to 0612345678,0752345678',
      description: "Read a text",
    },
    {
      command:
        "voicepartner tts send --text Rappel --to-file clients.csv --at '2026-12-01 09:30' --dry-run",
      description: "Plan a scheduled send",
    },
    {
      command:
        "voicepartner tts send --text-file message.txt --to-file export.csv --column Portable",
      description: "Text from a file, numbers from the CSV's Portable column",
    },
    {
      command: "echo 'Bonjour' | voicepartner tts send - --to 0612345678",
      description: "Text from stdin",
    },
  ]),
)

const vmsSend = Command.make(
  "send",
  {
    ...connection,
    ...recipients,
    audio: Flag.String("audio").pipe(Flag.withDescription("Approved audio token")),
    email: Flag.String("email").pipe(Flag.withDescription("E-mail for the end-of-campaign report")),
    sender: messageFlags.sender("Call-back mobile number"),
  },
  (c) =>
    handler(
      send(sendFlags(c), {
        endpoint: "campaign/send",
        message: {
          tokenAudio: c.audio,
          emailForNotification: c.email,
          sender: opt(c.sender),
          scheduledDate: opt(c.at),
          notifyUrl: opt(c.notifyUrl),
        },
      }),
    ),
).pipe(
  Command.withDescription("Drop a voicemail (rings landlines!) to any number of recipients"),
  Command.withExamples([
    {
      command: "voicepartner vms send --audio dev-audio --email ops@example.fr --to-file list.txt",
      description: "Voicemail drop",
    },
    {
      command:
        "voicepartner vms send --audio dev-audio --email ops@example.fr --to-file crm.csv --dry-run",
      description: "See the landlines it would ring, the time and the estimated cost first",
    },
  ]),
)

const connectionFlags = (c: {
  readonly baseUrl: Option.Option<string>
  readonly gateway: Option.Option<string>
  readonly token: Option.Option<string>
}) => ({ baseUrl: opt(c.baseUrl), gateway: opt(c.gateway), token: opt(c.token) })

/** The client's answer, printed as JSON (compact with `--json`). */
const printJson = (json: boolean) => (result: unknown) =>
  Effect.sync(() => {
    process.stdout.write(`${JSON.stringify(result, null, json ? undefined : 2)}\n`)
    return ExitCode.Ok
  })

/**
 * One call of core's `VoicePartnerClient`, provided by a layer built from the connection
 * flags (`RateLimiter.memory` under it); its answer printed as JSON.
 */
const withClient = <A>(
  c: Parameters<typeof connectionFlags>[0] & { readonly json: boolean },
  use: (voice: VoicePartnerClient["Service"]) => Effect.Effect<A, SendError>,
) =>
  handler(
    Effect.gen(function* () {
      const { layer } = yield* attempt(() => connect(connectionFlags(c)))
      const result = yield* Effect.flatMap(VoicePartnerClient, use).pipe(Effect.provide(layer))
      return yield* printJson(c.json)(result)
    }),
  )

const simple = <K extends string>(
  name: K,
  description: string,
  example: string,
  use: (voice: VoicePartnerClient["Service"]) => Effect.Effect<unknown, SendError>,
) =>
  Command.make(name, connection, (c) => withClient(c, use)).pipe(
    Command.withDescription(description),
    Command.withExamples([{ command: example, description }]),
  )

const credits = simple("credits", "Show the account's credit", "voicepartner credits", (voice) =>
  voice.credits(),
)
const audiosList = simple("list", "List audio files", "voicepartner audios list --json", (voice) =>
  voice.listAudios(),
)

const audiosRename = Command.make(
  "rename",
  { ...connection, token_: Argument.String("TOKEN"), name: Argument.String("NAME") },
  (c) => withClient(c, (voice) => voice.renameAudio({ tokenAudio: c.token_, filename: c.name })),
).pipe(
  Command.withDescription("Rename an audio file"),
  Command.withExamples([
    { command: "voicepartner audios rename dev-audio welcome", description: "Rename" },
  ]),
)

const campaignCancel = Command.make("cancel", { ...connection, id: Argument.String("ID") }, (c) =>
  withClient(c, (voice) => voice.cancelCampaign({ campaignId: c.id })),
).pipe(
  Command.withDescription("Cancel a scheduled campaign"),
  Command.withExamples([{ command: "voicepartner campaign cancel 12345", description: "Cancel" }]),
)

const campaignStatus = Command.make("status", { ...connection, id: Argument.String("ID") }, (c) =>
  handler(
    Effect.map(
      fromPromise(() => gatewayCampaignStatus(connectionFlags(c), c.id)),
      (r) => {
        process.stdout.write(`${JSON.stringify(r.body)}\n`)
        return r.status < 300 ? ExitCode.Ok : r.status === 400 ? ExitCode.Usage : ExitCode.Upstream
      },
    ),
  ),
).pipe(
  Command.withDescription("Status of a campaign (through the gateway)"),
  Command.withExamples([
    {
      command: "voicepartner campaign status 12345 --gateway https://vp.example.workers.dev",
      description: "Status",
    },
  ]),
)

/** The `voicepartner` command tree. */
export const voicepartner = Command.make("voicepartner").pipe(
  Command.withDescription("Send, plan and inspect Voice Partner voice campaigns"),
  Command.withExamples([
    {
      command: "voicepartner tts send Bonjour --to 0612345678 --dry-run",
      description: "Plan a send",
    },
  ]),
  Command.withSubcommands([
    Command.make("tts").pipe(
      Command.withDescription("Voice SMS"),
      Command.withSubcommands([ttsSend]),
    ),
    Command.make("vms").pipe(
      Command.withDescription("Voicemail drops"),
      Command.withSubcommands([vmsSend]),
    ),
    credits,
    Command.make("audios").pipe(
      Command.withDescription("Audio files"),
      Command.withSubcommands([audiosList, audiosRename]),
    ),
    Command.make("campaign").pipe(
      Command.withDescription("Campaigns"),
      Command.withSubcommands([campaignCancel, campaignStatus]),
    ),
    broadcastCommand,
  ]),
)
