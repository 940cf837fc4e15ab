import * as CliOutput from "effect/cli/CliOutput"
import { DEFAULT_MAX_COST } from "../commands/confirm.js"

/** Appended to every command's `--help`: where configuration comes from and what exit codes mean. */
export const HELP_FOOTER = `ENVIRONMENT
  VOICEPARTNER_API_KEY    the Voice Partner API key (never printed)
  VOICEPARTNER_BASE_URL   another API root (same as --base-url), e.g. the emulator's
  VOICEPARTNER_GATEWAY    send through our gateway at this URL (same as --gateway)
  VOICEPARTNER_TOKEN      the gateway's bearer token (same as --token)
  VOICEPARTNER_CONFIG     path of the config file (default below)
  VOICEPARTNER_RATE_LIMIT=off   tests only: lift the rate limits (emulator --no-rate-limit)
  NO_COLOR                no colours in the progress bar

CONFIG FILE
  $XDG_CONFIG_HOME/voicepartner/config.json (~/.config/voicepartner/config.json;
  %APPDATA%\\voicepartner\\config.json on Windows): a JSON object with any of apiKey,
  baseUrl, gateway, token. Flags, then environment variables, win over it; a file holding
  apiKey or token must not be readable by others (chmod 600).

SENDING
  A send prints its plan on stderr first. It asks (on a terminal) when a voicemail drop
  would ring landlines or the estimated cost passes --max-cost (default ${DEFAULT_MAX_COST} EUR);
  without a terminal it refuses (exit 2) unless --yes is given. Through --gateway each
  request carries an Idempotency-Key derived from what it sends: the same command re-run
  within 24 h replays what went out instead of sending it again; --resend sends again.

EXIT CODES
  0  everything sent (or, with --dry-run, a plan with something to send)
  1  some requests failed or the send was interrupted: the numbers not sent are in --failed-out
  2  nothing sent: usage or validation error (bad flag, file, column, date, text; nothing
     valid), or a send that needed a confirmation and did not get one
  3  a failure that will not get better stopped the send (wrong key or token, no credit,
     unknown audio, sender not authorised): the numbers not sent are in --failed-out`

/** The default help formatter, with {@link HELP_FOOTER} after each command's help. */
export const helpFormatter = (): CliOutput.Formatter => {
  const base = CliOutput.defaultFormatter()
  return {
    ...base,
    formatHelpDoc: (doc) => `${base.formatHelpDoc(doc)}\n\n${HELP_FOOTER}`,
  }
}
