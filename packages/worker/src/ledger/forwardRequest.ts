/**
 * Voice Partner's callback as it reached the gateway, kept with the event of a drop-in send
 * that gave its own `notifyUrl` (under {@link PROVIDER_CALLBACK} in the event's data), so
 * that it is forwarded there as the provider sent it: a voicemail drop's query parameters
 * for a GET, a voice SMS's JSON body for a POST.
 */
export type ProviderCallback =
  | { readonly method: "GET"; readonly query: string }
  | { readonly method: "POST"; readonly body: unknown }

/** The key of an event's data that holds its {@link ProviderCallback}. */
export const PROVIDER_CALLBACK = "providerCallback"

/**
 * The {@link ProviderCallback} of a callback received as `method` with `payload` (the query
 * parameters of a GET, the parsed body of a POST).
 *
 * @example
 * ```ts
 * providerCallback("GET", { campaign_id: "NDA_1", delivered_quantity: "1" })
 * // { method: "GET", query: "campaign_id=NDA_1&delivered_quantity=1" }
 * ```
 */
export const providerCallback = (method: "GET" | "POST", payload: unknown): ProviderCallback =>
  method === "GET"
    ? {
        method,
        query: new URLSearchParams(
          Object.entries(payload as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
        ).toString(),
      }
    : { method, body: payload }

/** A stored event, as the deliveries read it. */
export interface StoredEvent {
  readonly type: string
  /** The event's data, parsed. */
  readonly data: Readonly<Record<string, unknown>>
  readonly receivedAt: number
}

/** One forwarding request, ready to sign and send. */
export interface ForwardRequest {
  readonly url: string
  readonly method: "GET" | "POST"
  /** The body of a POST (JSON). */
  readonly body: string | undefined
  /**
   * What the Standard Webhooks signature covers (`{id}.{timestamp}.{signed}`): the body of
   * a POST; the query string of a GET, as in its URL, without the `?`.
   */
  readonly signed: string
}

const isProviderCallback = (value: unknown): value is ProviderCallback => {
  if (typeof value !== "object" || value === null) return false
  const { method } = value as { method?: unknown }
  return (
    (method === "GET" && typeof (value as { query?: unknown }).query === "string") ||
    (method === "POST" && "body" in value)
  )
}

/**
 * How an event is forwarded to `url`. An event with a {@link ProviderCallback}: as the
 * provider sent it — a GET of `url` with the provider's query parameters set on it (as
 * Voice Partner sets them on a `notifyUrl`), or a POST of its JSON body. Any other: a POST
 * of the gateway's envelope `{ type, timestamp, data }`. `undefined` when `url` cannot be
 * parsed (it then cannot be fetched).
 *
 * @example
 * ```ts
 * forwardRequest("https://app.example/vp?ref=1", {
 *   type: "voicemail.status",
 *   receivedAt: Date.now(),
 *   data: { providerCallback: { method: "GET", query: "campaign_id=NDA_1" } },
 * })
 * // { method: "GET", url: "https://app.example/vp?ref=1&campaign_id=NDA_1", body: undefined,
 * //   signed: "ref=1&campaign_id=NDA_1" }
 * ```
 */
export const forwardRequest = (url: string, event: StoredEvent): ForwardRequest | undefined => {
  const provider = event.data[PROVIDER_CALLBACK]
  if (!isProviderCallback(provider)) {
    const body = JSON.stringify({
      type: event.type,
      timestamp: new Date(event.receivedAt).toISOString(),
      data: event.data,
    })
    return { url, method: "POST", body, signed: body }
  }
  if (provider.method === "POST") {
    const body = JSON.stringify(provider.body)
    return { url, method: "POST", body, signed: body }
  }
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return undefined
  }
  for (const [key, value] of new URLSearchParams(provider.query))
    target.searchParams.set(key, value)
  return { url: target.toString(), method: "GET", body: undefined, signed: target.search.slice(1) }
}
