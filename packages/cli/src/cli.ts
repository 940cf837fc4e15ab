import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { ExitCode } from "./commands/ExitCode.js"
import { runSend } from "./commands/runSend.js"
import { gatewayCampaignStatus, makeClient } from "./config/connection.js"
import { resolveText } from "./input/messageText.js"

const opt = <A>(o: Option.Option<A>): A | undefined => Option.getOrUndefined(o)

const connection = {
  baseUrl: Flag.String("base-url").pipe(
    Flag.withDescription("API base URL (e.g. the emulator's http://127.0.0.1:8788/v1)"),
    Flag.optional,
  ),
  gateway: Flag.String("gateway").pipe(
    Flag.withDescription("Send through our gateway at this URL"),
    Flag.optional,
  ),
  token: Flag.String("token").pipe(
    Flag.withDescription("Gateway token (or VOICEPARTNER_TOKEN)"),
    Flag.optional,
  ),
  json: Flag.Boolean("json").pipe(
    Flag.withDefault(false),
    Flag.withDescription("Machine-readable JSON output"),
  ),
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
  column: Flag.String("column").pipe(
    Flag.withDescription(
      "The CSV's phone column, by header name or 1-based number, when it has several or none is recognised",
    ),
    Flag.optional,
  ),
  dryRun: Flag.Boolean("dry-run").pipe(
    Flag.withDefault(false),
    Flag.withDescription(
      "Print the plan (rows, kinds, invalid rows, requests, time, estimated cost), send nothing; exit 2 if nothing is valid",
    ),
  ),
  list: Flag.Boolean("list").pipe(
    Flag.withDefault(false),
    Flag.withDescription("With --dry-run: print every number too"),
  ),
  progress: Flag.Boolean("progress").pipe(
    Flag.withDefault(false),
    Flag.withDescription("With --json: NDJSON progress events"),
  ),
  chunkSize: Flag.Int("chunk-size").pipe(
    Flag.withDefault(500),
    Flag.withDescription("Numbers per request (1–500)"),
  ),
  failedOut: Flag.String("failed-out").pipe(
    Flag.withDescription("Where numbers not sent are written"),
    Flag.withDefault("voicepartner-not-sent.txt"),
  ),
  at: Flag.String("at").pipe(
    Flag.withDescription("Send at (YYYY-MM-DD HH:MM in Europe/Paris, or ISO 8601 with offset)"),
    Flag.optional,
  ),
  notifyUrl: Flag.String("notify-url").pipe(
    Flag.withDescription("Callback URL for delivery statuses"),
    Flag.optional,
  ),
}

/** Runs a handler body, setting the process exit code from its result or error. */
const exec = (body: () => Promise<ExitCode>) =>
  Effect.promise(async () => {
    process.exitCode = await body().catch(handleError)
  })

const handleError = (error: unknown): ExitCode => {
  const e = error as { readonly _tag?: string; readonly message?: string }
  process.stderr.write(`error: ${e.message ?? String(error)}\n`)
  return e._tag === "UsageError" ||
    e._tag === "RecipientSourceError" ||
    e._tag === "ValidationError"
    ? ExitCode.Usage
    : ExitCode.Upstream
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
}) => ({
  chunkSize: c.chunkSize,
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
    text: Flag.String("text").pipe(
      Flag.withDescription("Text to read; - reads it from stdin"),
      Flag.optional,
    ),
    textFile: Flag.String("text-file").pipe(
      Flag.withDescription("Read the text from a file (UTF-8 or Windows-1252); - for stdin"),
      Flag.optional,
    ),
    audio: Flag.String("audio").pipe(
      Flag.withDescription("Audio token played instead of a text"),
      Flag.optional,
    ),
    lang: Flag.String("lang").pipe(
      Flag.withDescription("Language of the text (default fr)"),
      Flag.optional,
    ),
    rate: Flag.Finite("rate").pipe(Flag.withDescription("Reading speed 0.5–2"), Flag.optional),
  },
  (c) =>
    exec(async () =>
      runSend(sendFlags(c), {
        endpoint: "tts/send",
        input: {
          text: await resolveText(
            { arg: opt(c.textArg), flag: opt(c.text), file: opt(c.textFile) },
            c.to.includes("-") || c.toFile.includes("-"),
          ),
          tokenAudio: opt(c.audio),
          lang: opt(c.lang),
          speechRate: opt(c.rate),
          scheduledDate: opt(c.at),
          notifyUrl: opt(c.notifyUrl),
        },
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
    sender: Flag.String("sender").pipe(
      Flag.withDescription("Call-back mobile number"),
      Flag.optional,
    ),
  },
  (c) =>
    exec(() =>
      runSend(sendFlags(c), {
        endpoint: "campaign/send",
        input: {
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

/** One call with a client: prints its JSON answer (compact with `--json`), then closes it. */
const withClient = (
  c: Parameters<typeof connectionFlags>[0] & { readonly json: boolean },
  run: (client: ReturnType<typeof makeClient>) => Promise<unknown>,
) =>
  exec(async () => {
    const client = makeClient(connectionFlags(c))
    try {
      const result = await run(client)
      process.stdout.write(`${JSON.stringify(result, null, c.json ? undefined : 2)}\n`)
      return ExitCode.Ok
    } finally {
      await client.close()
    }
  })

const simple = <K extends string>(
  name: K,
  description: string,
  example: string,
  run: (client: ReturnType<typeof makeClient>) => Promise<unknown>,
) =>
  Command.make(name, connection, (c) => withClient(c, run)).pipe(
    Command.withDescription(description),
    Command.withExamples([{ command: example, description }]),
  )

const credits = simple("credits", "Show the account's credit", "voicepartner credits", (c) =>
  c.credits(),
)
const audiosList = simple("list", "List audio files", "voicepartner audios list --json", (c) =>
  c.listAudios(),
)

const audiosRename = Command.make(
  "rename",
  { ...connection, token_: Argument.String("TOKEN"), name: Argument.String("NAME") },
  (c) => withClient(c, (client) => client.renameAudio({ tokenAudio: c.token_, filename: c.name })),
).pipe(
  Command.withDescription("Rename an audio file"),
  Command.withExamples([
    { command: "voicepartner audios rename dev-audio welcome", description: "Rename" },
  ]),
)

const campaignCancel = Command.make("cancel", { ...connection, id: Argument.String("ID") }, (c) =>
  withClient(c, (client) => client.cancelCampaign({ campaignId: c.id })),
).pipe(
  Command.withDescription("Cancel a scheduled campaign"),
  Command.withExamples([{ command: "voicepartner campaign cancel 12345", description: "Cancel" }]),
)

const campaignStatus = Command.make("status", { ...connection, id: Argument.String("ID") }, (c) =>
  exec(async () => {
    const r = await gatewayCampaignStatus(connectionFlags(c), c.id)
    process.stdout.write(`${JSON.stringify(r.body)}\n`)
    return r.status < 300 ? ExitCode.Ok : r.status === 400 ? ExitCode.Usage : ExitCode.Upstream
  }),
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
  ]),
)
