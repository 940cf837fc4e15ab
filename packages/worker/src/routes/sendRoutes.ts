import { CampaignSend } from "@voicepartner/core/operations/CampaignSend"
import { TtsSend } from "@voicepartner/core/operations/TtsSend"
import { Hono } from "hono"
import { authenticate, jsonBody } from "../http/middleware.js"
import { guard, idempotent, type SendEnv, send, validate } from "./sendSteps.js"
import { refuseWhileFull } from "./throughQuota.js"

/**
 * `POST /tts/send` and `POST /campaign/send` (mounted on `/v1`): a send that cannot be
 * admitted refused before its body is read (`refuseWhileFull`), else the body read, the
 * client found, then the steps of `sendSteps.ts` — validate, guard, idempotency, quota
 * and send, record, answer.
 */
export const sendRoutes = new Hono<SendEnv>()
  .post(
    "/tts/send",
    refuseWhileFull("tts/send"),
    jsonBody,
    authenticate("tts/send", "tts/send"),
    validate(TtsSend),
    guard,
    idempotent,
    send,
  )
  .post(
    "/campaign/send",
    refuseWhileFull("campaign/send"),
    jsonBody,
    authenticate("campaign/send", "campaign/send"),
    validate(CampaignSend),
    guard,
    idempotent,
    send,
  )
