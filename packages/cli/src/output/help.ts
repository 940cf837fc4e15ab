import * as CliOutput from "effect/cli/CliOutput"

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

EXIT CODES
  0  everything sent (or, with --dry-run, a plan with something to send)
  1  some requests failed or the send was stopped: the numbers not sent are in --failed-out
  2  usage or validation error (bad flag, file, column, date, text; nothing valid): nothing sent
  3  upstream or authentication error (wrong key, no credit)`

/** The default help formatter, with {@link HELP_FOOTER} after each command's help. */
export const helpFormatter = (): CliOutput.Formatter => {
  const base = CliOutput.defaultFormatter()
  return {
    ...base,
    formatHelpDoc: (doc) => `${base.formatHelpDoc(doc)}\n\n${HELP_FOOTER}`,
  }
}
