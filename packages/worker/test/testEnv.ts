// Bindings of the test Worker (imported by vitest.config.ts, which runs in Node).
import { createHash } from "node:crypto"

const hash = (token: string) => createHash("sha256").update(token).digest("hex")

export const UPSTREAM_KEY = "upstream-key-7f3a9c1e5b"
export const CALLBACK_KEY = "callback-signing-key-4d8e2f6a"
export const TOKENS = {
  alpha: "alpha-token-1a2b3c4d",
  beta: "beta-token-5e6f7a8b",
  reader: "reader-token-9c0d1e2f",
}
export const SECRETS = {
  alpha: "whsec_YWxwaGEtd2ViaG9vay1zZWNyZXQtMzItYnl0ZXMhIQ==",
  beta: "whsec_YmV0YS13ZWJob29rLXNlY3JldC0zMi1ieXRlcyEhIQ==",
}

export const testBindings = {
  VOICEPARTNER_API_KEY: UPSTREAM_KEY,
  VOICEPARTNER_BASE_URL: "http://voicepartner.test/v1",
  CALLBACK_SIGNING_KEY: CALLBACK_KEY,
  PUBLIC_URL: "http://gateway.test",
  // The harness's webhook receivers: the only plain-http host the test gateway may reach.
  OUTBOUND_HTTP_ALLOW: "hooks.test:80,slow.test:80",
  WEBHOOK_TIMEOUT: "2",
  WEBHOOK_RETRY_SCHEDULE: "5,30",
  CLIENTS: JSON.stringify([
    {
      id: "alpha",
      tokenSha256: hash(TOKENS.alpha),
      operations: ["*"],
      webhookUrl: "http://hooks.test/alpha",
      webhookSecret: SECRETS.alpha,
    },
    {
      id: "beta",
      tokenSha256: hash(TOKENS.beta),
      operations: ["*"],
      webhookUrl: "http://hooks.test/beta",
      webhookSecret: SECRETS.beta,
    },
    { id: "reader", tokenSha256: hash(TOKENS.reader), operations: ["me", "audios"] },
  ]),
}
