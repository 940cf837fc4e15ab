// A CPU profile of the gateway's isolate under load, through workerd's inspector (workerd
// has no --cpu-prof): prints the functions with the most self time and the most total
// time, and writes the profile (open it in Chrome DevTools' Performance panel).
//
//   pnpm exec wrangler deploy --dry-run --outdir /tmp/plain   # unminified: readable names
//   BUNDLE=/tmp/plain/index.js MODE=send SECONDS=10 node bench/profile.ts
//
// MODE=send: voice SMS sends, closed loop at 50 connections (the saturated run);
// MODE=paced: the same at 100 req/s; MODE=flood: voicemail drops over quota at 200.
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { freePort, startReceiver, TOKENS } from "../e2e/stack.ts"
import {
  DROP_BODY,
  exhaustDrops,
  gatewayOptions,
  startEmulatorProcess,
  TTS_BODY,
} from "./benchStack.ts"
import { closedLoop } from "./closedLoop.ts"
import { pacedLoad } from "./pacedLoad.ts"
import { serveOnWorkerd } from "./workerd.ts"

const BUNDLE = process.env.BUNDLE ?? fileURLToPath(new URL("../dist/index.js", import.meta.url))
const MODE = process.env.MODE ?? "send"
const SECONDS = Number(process.env.SECONDS ?? 10)
const OUT = process.env.OUT ?? `/tmp/gateway-${MODE}.cpuprofile`
const TOP = Number(process.env.TOP ?? 40)

interface ProfileNode {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
    readonly columnNumber: number
  }
  readonly children?: ReadonlyArray<number>
}
interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** A minimal Chrome DevTools protocol client over the global WebSocket. */
const devtools = async (url: string) => {
  const socket = new WebSocket(url)
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true })
    socket.addEventListener("error", reject, { once: true })
  })
  let next = 1
  const pending = new Map<number, (result: unknown) => void>()
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown }
    if (message.id !== undefined) pending.get(message.id)?.(message.result)
  })
  return {
    send: (method: string, params: object = {}) =>
      new Promise<unknown>((resolve) => {
        const id = next++
        pending.set(id, resolve)
        socket.send(JSON.stringify({ id, method, params }))
      }),
    close: () => socket.close(),
  }
}

const emulator = await startEmulatorProcess()
const receiver = await startReceiver(() => 204)
const inspectorPort = await freePort()
const gateway = await serveOnWorkerd({
  ...gatewayOptions(BUNDLE, emulator.url, receiver.url),
  inspectorPort,
})
try {
  const send = {
    url: `${gateway.url}/v1/tts/send`,
    headers: { authorization: `Bearer ${TOKENS[0]}` },
    body: TTS_BODY,
  }
  const drop = {
    url: `${gateway.url}/v1/campaign/send`,
    headers: { authorization: `Bearer ${TOKENS[1]}` },
    body: DROP_BODY,
  }
  const target = MODE === "flood" ? drop : send
  // Warm up (JIT, Durable Objects); for the flood, exhaust the quota first.
  await closedLoop({ ...send, connections: 50, amount: 1_000 })
  if (MODE === "flood") {
    await exhaustDrops(gateway.url, TOKENS[1] as string, (SECONDS + 20) * 1000)
    await closedLoop({ ...drop, connections: 200, amount: 5_000 })
  }
  const list = (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`).then((r) =>
    r.json(),
  )) as ReadonlyArray<{ readonly webSocketDebuggerUrl: string }>
  const cdp = await devtools(list[0]?.webSocketDebuggerUrl ?? "")
  await cdp.send("Profiler.enable")
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 })
  await cdp.send("Profiler.start")
  const cpuBefore = gateway.cpuMs()
  const answered =
    MODE === "paced"
      ? (await pacedLoad({ ...target, connections: 50, rate: 100, total: 100 * SECONDS })).sent
      : (
          await closedLoop({
            ...target,
            connections: MODE === "flood" ? 200 : 50,
            seconds: SECONDS,
          })
        ).answered
  const cpu = gateway.cpuMs() - cpuBefore
  const { profile } = (await cdp.send("Profiler.stop")) as { profile: Profile }
  cdp.close()
  writeFileSync(OUT, JSON.stringify(profile))

  // Self time per node, then per function (name and position), and total time per function.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const key = (n: ProfileNode) => {
    const f = n.callFrame
    const file = f.url.split("/").pop() ?? ""
    return `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}:${f.columnNumber + 1}`
  }
  const selfByFn = new Map<string, number>()
  const totalByFn = new Map<string, number>()
  let sampled = 0
  for (const [id, us] of self) {
    sampled += us
    const node = byId.get(id) as ProfileNode
    selfByFn.set(key(node), (selfByFn.get(key(node)) ?? 0) + us)
    // Each function once per stack, however often it recurses.
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = key(byId.get(at) as ProfileNode)
      if (!seen.has(k)) totalByFn.set(k, (totalByFn.get(k) ?? 0) + us)
      seen.add(k)
    }
  }
  // Self time per module of the bundle: esbuild marks where each one starts (`// src/app.ts`).
  const marks: Array<{ readonly line: number; readonly name: string }> = []
  readFileSync(BUNDLE, "utf8")
    .split("\n")
    .forEach((text, line) => {
      const mark = /^\/\/ (\S+\.[cm]?[jt]s)$/.exec(text)?.[1]
      if (mark === undefined) return
      // A package by its name (hono, effect…), the gateway's and core's modules by path.
      const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(mark)
      marks.push({ line, name: pkg?.[1] ?? mark.replace(/^(\.\.\/)+/, "") })
    })
  const moduleOf = (n: ProfileNode) => {
    const f = n.callFrame
    if (!f.url.endsWith("worker.js")) return `(${f.functionName || "native"})`
    let found = "(bundle prelude)"
    for (const m of marks) if (m.line <= f.lineNumber) found = m.name
    return found
  }
  const selfByModule = new Map<string, number>()
  for (const [id, us] of self) {
    const m = moduleOf(byId.get(id) as ProfileNode)
    selfByModule.set(m, (selfByModule.get(m) ?? 0) + us)
  }
  const perAnswer = (us: number) => `${(us / 1000 / answered).toFixed(3)} ms`
  const top = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(
        ([k, us]) =>
          `  ${perAnswer(us).padStart(9)}  ${((100 * us) / sampled).toFixed(1).padStart(5)} %  ${k}`,
      )
      .join("\n")
  console.log(
    `${MODE}: ${answered} answers in ${SECONDS} s; workerd CPU ${(cpu / answered).toFixed(3)} ms per answer (process, all threads); ` +
      `isolate samples ${perAnswer(sampled)} per answer (idle included)`,
  )
  console.log(`self time by module, per answer:\n${top(selfByModule)}`)
  console.log(`self time, per answer:\n${top(selfByFn)}`)
  console.log(`total time, per answer:\n${top(totalByFn)}`)
  console.log(`profile written to ${OUT}`)
} finally {
  await gateway.close()
  await receiver.close()
  emulator.child.kill("SIGTERM")
}
