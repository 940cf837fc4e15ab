import { type ConnectionFlags, resolveConnection } from "../config/connection.js"
import { UsageError } from "../config/UsageError.js"

/** The gateway a broadcast command talks to: its base URL (no trailing slash) and token. */
export interface GatewayTarget {
  readonly url: string
  readonly token: string
}

/**
 * The gateway from `--gateway`/`--token`, `VOICEPARTNER_GATEWAY`/`VOICEPARTNER_TOKEN` or
 * the config file: broadcasts are run by the gateway, so there is no upstream fallback.
 */
export const gatewayOf = (
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
): GatewayTarget => {
  const { gateway, token } = resolveConnection(flags, env)
  if (gateway === undefined)
    throw new UsageError(
      "broadcasts are run by the gateway: give --gateway URL (or VOICEPARTNER_GATEWAY)",
    )
  if (token === undefined)
    throw new UsageError(
      "--gateway needs --token, VOICEPARTNER_TOKEN or a token in the config file",
    )
  return { url: gateway.replace(/\/+$/, ""), token }
}

/**
 * The gateway refused or failed a request that a retry will not fix (a wrong token, a
 * broadcast of another client…), or could not be reached: exit code 3.
 */
export class GatewayError extends Error {
  readonly _tag = "GatewayError"
}

/** Where the CLI's flags stand for a broadcast request's fields, for error messages. */
const FLAG_OF: Readonly<Record<string, string>> = {
  type: "--type",
  tokenAudio: "--audio",
  emailForNotification: "--email",
  sender: "--sender",
  text: "--text",
  lang: "--lang",
  speechRate: "--rate",
  name: "--name",
  startAt: "--start-at",
  notifyUrl: "--notify-url",
  column: "--column",
  body: "--to-file",
  recipients: "--to",
  "message.tokenAudio": "--audio",
  "message.emailForNotification": "--email",
  "message.sender": "--sender",
  "message.text": "--text",
  "message.lang": "--lang",
  "message.speechRate": "--rate",
}

/** A gateway answer: status, headers and the JSON body (or the text when it is not JSON). */
export interface GatewayAnswer {
  readonly status: number
  readonly headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: the gateway's JSON, read field by field
  readonly json: any
}

/**
 * The error of a gateway answer that is not a 2xx, as the CLI reports it: a usage error
 * (exit 2: nothing was done) for what the request got wrong — 400 (the field named, with
 * the flag it comes from), 404, 409, 413, 422 — and a {@link GatewayError} (exit 3) for
 * the rest.
 */
export const answerError = (answer: GatewayAnswer, what: string): Error => {
  const error = (answer.json?.error ?? {}) as {
    readonly code?: string | number
    readonly message?: string
    readonly field?: string
  }
  const flag = error.field === undefined ? undefined : FLAG_OF[error.field]
  const text = `${what}: ${answer.status} ${error.code ?? ""} ${error.message ?? ""}`
    .replace(/\s+/g, " ")
    .trim()
  const full = flag === undefined ? text : `${text} (${flag})`
  return [400, 404, 409, 413, 422].includes(answer.status)
    ? new UsageError(full)
    : new GatewayError(full)
}

/** A request to the gateway as the client of `target`; the network's failure as a {@link GatewayError}. */
export const callGateway = async (
  target: GatewayTarget,
  path: string,
  init: {
    readonly method?: string
    readonly headers?: Readonly<Record<string, string>>
    readonly body?: Uint8Array | string | undefined
    readonly raw?: boolean
  } = {},
): Promise<GatewayAnswer & { readonly response?: Response }> => {
  let response: Response
  try {
    response = await fetch(`${target.url}${path}`, {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${target.token}`, ...init.headers },
      ...(init.body !== undefined && { body: init.body }),
    })
  } catch (cause) {
    const code = (cause as { cause?: { code?: string } }).cause?.code
    throw new GatewayError(
      `cannot reach the gateway at ${target.url}${code === undefined ? "" : ` (${code})`}`,
    )
  }
  if (init.raw === true && response.ok)
    return { status: response.status, headers: response.headers, json: null, response }
  const text = await response.text()
  let json: unknown = null
  try {
    json = JSON.parse(text)
  } catch {
    json = { error: { message: text.slice(0, 200) } }
  }
  return { status: response.status, headers: response.headers, json }
}
