import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import {
  controlBroadcast,
  createBroadcast,
  listBroadcasts,
  reportBroadcast,
  retryBroadcast,
  showBroadcast,
  watchBroadcast,
} from "./broadcast.js"
import type { ExitCode } from "./ExitCode.js"
import {
  columnFlag,
  type GatewayFlagValues,
  gatewayFlags,
  messageFlags,
  opt,
  optionalString,
  toggle,
  yesFlag,
} from "./flags.js"
import { handler } from "./handler.js"

const connection = gatewayFlags(
  "The gateway's URL (or VOICEPARTNER_GATEWAY): it runs the broadcast",
)

const connectionOf = (c: GatewayFlagValues) => ({
  baseUrl: undefined,
  gateway: opt(c.gateway),
  token: opt(c.token),
})

const id = { id: Argument.String("ID").pipe(Argument.withDescription("The broadcast's id (bc_…)")) }

const create = Command.make(
  "create",
  {
    ...connection,
    type: Flag.Literals("type", ["voicemail", "tts"]).pipe(
      Flag.withDescription(
        "voicemail (a voicemail drop) or tts (a voice SMS); default: tts with --text, else voicemail",
      ),
      Flag.optional,
    ),
    toFile: optionalString(
      "to-file",
      "A CRM export (CSV: ; , or tab; UTF-8 or Windows-1252; a phone column such as Téléphone, Portable, Mobile, Phone, GSM), uploaded as it is; - for stdin",
    ),
    to: Flag.String("to").pipe(
      Flag.withDescription("Recipient(s) instead of a file, repeatable, comma lists"),
      Flag.atLeast(0),
    ),
    column: columnFlag("The CSV's phone column, by header name or 1-based number"),
    audio: messageFlags.audio("Audio token"),
    email: messageFlags.email("E-mail for the end-of-campaign report (voicemail drop)"),
    sender: messageFlags.sender("Call-back mobile number (voicemail drop)"),
    text: messageFlags.text("Text to read (voice SMS); - reads it from stdin"),
    textFile: messageFlags.textFile("Read the text from a file (UTF-8 or Windows-1252)"),
    lang: messageFlags.lang("Language of the text"),
    rate: messageFlags.rate,
    name: optionalString("name", "The broadcast's name"),
    startAt: optionalString(
      "start-at",
      "Start at (YYYY-MM-DD HH:MM in Europe/Paris, or ISO 8601 with offset; at most a year ahead)",
    ),
    notifyUrl: optionalString(
      "notify-url",
      "Where the provider's callbacks are forwarded (default: your webhook)",
    ),
    dryRun: toggle(
      "dry-run",
      "Print the gateway's plan (rows, kinds, invalid rows, requests, end, estimated cost); create nothing",
    ),
    yes: yesFlag("Create without asking (needed without a terminal)"),
    resend: toggle(
      "resend",
      "Create another broadcast even if this same request created one within 24 h (without it, a re-run answers that one)",
    ),
  },
  (c) =>
    handler(
      createBroadcast({
        ...connectionOf(c),
        json: c.json,
        type: opt(c.type),
        to: c.to,
        toFile: opt(c.toFile),
        column: opt(c.column),
        audio: opt(c.audio),
        email: opt(c.email),
        sender: opt(c.sender),
        text: opt(c.text),
        textFile: opt(c.textFile),
        lang: opt(c.lang),
        rate: opt(c.rate),
        name: opt(c.name),
        startAt: opt(c.startAt),
        notifyUrl: opt(c.notifyUrl),
        dryRun: c.dryRun,
        yes: c.yes,
        resend: c.resend,
      }),
    ),
).pipe(
  Command.withDescription(
    "Create a broadcast run by the gateway: shows its plan and asks first (--yes for scripts)",
  ),
  Command.withExamples([
    {
      command:
        "voicepartner broadcast create --gateway https://vp.example.com --to-file crm.csv --audio TOKEN --email ops@example.com --name Relance",
      description: "A voicemail drop to a CRM export",
    },
    {
      command:
        "voicepartner broadcast create --to-file crm.csv --text 'Bonjour, votre rendez-vous est demain' --start-at '2026-12-01 09:30' --dry-run",
      description: "Plan a voice SMS broadcast",
    },
  ]),
)

const watch = Command.make(
  "watch",
  {
    ...connection,
    ...id,
    interval: Flag.Finite("interval").pipe(
      Flag.withDefault(2),
      Flag.withDescription("Seconds between polls"),
    ),
  },
  (c) =>
    handler(
      Effect.map(
        watchBroadcast({ ...connectionOf(c), json: c.json, id: c.id, interval: c.interval }),
        (code) => code as ExitCode,
      ),
    ),
).pipe(
  Command.withDescription(
    "Follow a broadcast until it is completed (exit 0; 1 with failed or unknown chunks), paused (exit 4) or cancelled (exit 5): a progress bar with ETA on a terminal, NDJSON lines with --json",
  ),
  Command.withExamples([
    { command: "voicepartner broadcast watch bc_3f9a0c1e5b7d2a4c6e8f0a1b", description: "Follow" },
  ]),
)

const status = Command.make("status", { ...connection, ...id }, (c) =>
  handler(showBroadcast({ ...connectionOf(c), json: c.json, id: c.id })),
).pipe(Command.withDescription("A broadcast's status, counts, cost and ETA"))

const list = Command.make(
  "list",
  {
    ...connection,
    limit: Flag.Int("limit").pipe(Flag.withDescription("How many (1–100)"), Flag.optional),
    cursor: optionalString("cursor", "The next page, as the previous one said"),
  },
  (c) =>
    handler(
      listBroadcasts({
        ...connectionOf(c),
        json: c.json,
        limit: opt(c.limit),
        cursor: opt(c.cursor),
      }),
    ),
).pipe(Command.withDescription("Your broadcasts, newest first"))

const control = (action: "pause" | "resume" | "cancel", description: string) =>
  Command.make(action, { ...connection, ...id }, (c) =>
    handler(controlBroadcast(action)({ ...connectionOf(c), json: c.json, id: c.id })),
  ).pipe(Command.withDescription(description))

const report = Command.make(
  "report",
  {
    ...connection,
    ...id,
    out: optionalString("out", "Write the CSV to this file (default stdout)"),
  },
  (c) => handler(reportBroadcast({ ...connectionOf(c), id: c.id, out: opt(c.out) })),
).pipe(
  Command.withDescription("Every recipient's row, number, chunk, outcome and delivery, as CSV"),
)

const retry = Command.make(
  "retry",
  {
    ...connection,
    ...id,
    includeUnknown: toggle(
      "include-unknown",
      "Send the unknown chunks again too (they may have gone out: check first)",
    ),
  },
  (c) =>
    handler(
      retryBroadcast({
        ...connectionOf(c),
        json: c.json,
        id: c.id,
        includeUnknown: c.includeUnknown,
      }),
    ),
).pipe(Command.withDescription("A new broadcast of the recipients of the failed chunks"))

/** `voicepartner broadcast …`: campaigns of any size, planned, stored and run by the gateway. */
export const broadcastCommand = Command.make("broadcast").pipe(
  Command.withDescription("Broadcasts: campaigns of any size, run by the gateway"),
  Command.withSubcommands([
    create,
    watch,
    list,
    status,
    control("pause", "Pause before the next chunk (a chunk in flight completes)"),
    control("resume", "Go on where it stopped"),
    control("cancel", "Stop for good: chunks not sent are never sent"),
    report,
    retry,
  ]),
)
