/**
 * The gateway's minted callback URLs (`/callbacks/{client}/{send}/…/{hmac}`) are
 * credentials: whoever holds one can post statuses for that send. The provider may quote
 * the `notifyUrl` it was given (in an error message, an answer, a callback), so every text
 * the ledger stores goes through {@link withoutCallbackUrls} first. Plain and
 * percent-encoded forms are matched; the characters kept out (quotes, backslashes, spaces,
 * `&`) keep a JSON text valid.
 */
const MINTED = /(?:\/|%2f)callbacks(?:\/|%2f)[A-Za-z0-9_.~%/-]*/gi

/** What replaces a callback URL's path in stored text. */
export const REDACTED_CALLBACK = "[callback URL redacted]"

/**
 * The text with every minted callback path replaced by {@link REDACTED_CALLBACK}.
 *
 * @example
 * ```ts
 * withoutCallbackUrls("notifyUrl https://gw.example/callbacks/dev/1/2/-/abc is invalid")
 * // "notifyUrl https://gw.example[callback URL redacted] is invalid"
 * ```
 */
export const withoutCallbackUrls = (text: string): string => text.replace(MINTED, REDACTED_CALLBACK)
