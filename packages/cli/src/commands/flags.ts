// The flags the commands share: one definition each, so that `tts send`, `vms send` and
// `broadcast …` spell, parse and describe them alike. What differs between commands is
// only a description, passed in.
import * as Flag from "effect/cli/Flag"
import * as Option from "effect/Option"

/** An optional flag's value, `undefined` when not given. */
export const opt = <A>(o: Option.Option<A>): A | undefined => Option.getOrUndefined(o)

/** `--name VALUE`, optional. */
export const optionalString = (name: string, description: string) =>
  Flag.String(name).pipe(Flag.withDescription(description), Flag.optional)

/** `--name`, a switch (false unless given). */
export const toggle = (name: string, description: string) =>
  Flag.Boolean(name).pipe(Flag.withDefault(false), Flag.withDescription(description))

/** `--gateway` and `--token`: where a command goes through our gateway, and as whom. */
export const gatewayFlags = (gatewayDescription: string) => ({
  gateway: optionalString("gateway", gatewayDescription),
  token: optionalString("token", "Gateway token (or VOICEPARTNER_TOKEN)"),
  json: toggle("json", "Machine-readable JSON output"),
})

/** The connection flags as given. */
export interface GatewayFlagValues {
  readonly gateway: Option.Option<string>
  readonly token: Option.Option<string>
}

/** The message's own flags, as a voice SMS or a voicemail drop takes them. */
export const messageFlags = {
  text: (description: string) => optionalString("text", description),
  textFile: (description: string) => optionalString("text-file", description),
  audio: (description: string) => optionalString("audio", description),
  email: (description: string) => optionalString("email", description),
  sender: (description: string) => optionalString("sender", description),
  lang: (description: string) => optionalString("lang", description),
  rate: Flag.Finite("rate").pipe(Flag.withDescription("Reading speed 0.5–2"), Flag.optional),
}

/** `--yes` / `-y`: go on without asking (needed without a terminal). */
export const yesFlag = (description: string) =>
  Flag.Boolean("yes").pipe(
    Flag.withAlias("y"),
    Flag.withDefault(false),
    Flag.withDescription(description),
  )

/** `--column`: the CSV's phone column, by header name or 1-based number. */
export const columnFlag = (description: string) => optionalString("column", description)
