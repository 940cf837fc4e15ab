import { Hono } from "hono"
import type { GatewayEnv } from "../http/GatewayEnv.js"
import { openApiDocument } from "../openapi/openApiDocument.js"

/** `GET /health` (no configuration or upstream involved) and `GET /openapi.json`. */
export const metaRoutes = new Hono<GatewayEnv>()
  .get("/health", (c) => c.json({ status: "ok" }))
  .get("/openapi.json", (c) => c.json(openApiDocument()))
