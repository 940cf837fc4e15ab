/**
 * Removes a secret from any text that may reach a log or an error (URLs carry the API
 * key in their path for three endpoints). Also masks the key's URL-encoded form.
 *
 * @example
 * ```ts
 * redact("GET /v1/me/s3cr3t failed", "s3cr3t") // "GET /v1/me/*** failed"
 * ```
 */
export const redact = (text: string, secret: string): string => {
  if (secret.length === 0) return text
  let out = text.split(secret).join("***")
  const encoded = encodeURIComponent(secret)
  if (encoded !== secret) out = out.split(encoded).join("***")
  return out
}
