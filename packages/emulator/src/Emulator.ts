import { type EmulatorClock, systemClock } from "./clock.js"
import { ProviderError } from "./errors.js"
import { FaultPlan, type Faults } from "./faults.js"
import type { EmulatorOptions } from "./options.js"
import { callbackForm, type Destination, readDestination } from "./phone.js"
import { cents, defaultPrices, priceFor, speechSeconds } from "./pricing.js"
import { checkLimit, documentedLimits, type LimitVerdict } from "./rateLimit.js"
import type { CallbackRecord, CampaignRecord, EmulatorState, RequestRecord, Task } from "./state.js"
import { sleep, timerDelay } from "./timers.js"

const RETRY_DELAYS_MS = [1_000, 5_000, 25_000]
const MAX_NUMBERS = 500

/** A short, non-reversible tag for a key: logs show which key, never the key. */
export const fingerprint = (key: string): string => {
  let h = 2166136261
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619)
  return `key_${(h >>> 0).toString(16).padStart(8, "0")}`
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0")
const parisDateTime = (epochMs: number): string => {
  // The provider's dates are Paris wall clock; EU DST rule, no Intl dependency.
  const d = new Date(epochMs)
  const y = d.getUTCFullYear()
  const lastSunday = (m: number) => {
    const last = new Date(Date.UTC(y, m + 1, 0))
    return Date.UTC(y, m, last.getUTCDate() - last.getUTCDay(), 1)
  }
  const offset = epochMs >= lastSunday(2) && epochMs < lastSunday(9) ? 2 : 1
  const p = new Date(epochMs + offset * 3_600_000)
  return `${p.getUTCFullYear()}-${pad(p.getUTCMonth() + 1)}-${pad(p.getUTCDate())} ${pad(p.getUTCHours())}:${pad(p.getUTCMinutes())}:${pad(p.getUTCSeconds())}`
}
const parisToEpoch = (text: string): number | undefined => {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text)
  if (m === null) return undefined
  const naive = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
  )
  for (const offset of [2, 1]) {
    const t = naive - offset * 3_600_000
    if (parisDateTime(t).slice(0, 16) === `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}`) return t
  }
  return undefined
}

/**
 * The number in a campaign id (`NDA_<Paris date>_<number>`, like the provider's
 * `NDA_20230111_00811`), never handed out twice for a date, across instances, resets,
 * restored snapshots and processes. It is at least the wall clock's time since Paris
 * midnight in hundredths of a millisecond, so that a process started later in the day
 * numbers above every id an earlier one gave (the emulator cannot accept 100 sends in a
 * millisecond, so it never runs ahead of that clock); and above the last number this
 * process gave for the same date (several sends in one millisecond, another instance).
 */
const lastNumberByDate = new Map<string, number>()
/** The Paris day of the last wall-clock reading, as [start, end) instants (23 to 25 h). */
let parisDay = { start: 0, end: 0 }
const campaignNumber = (date: string, wallClockMs: number): number => {
  if (wallClockMs < parisDay.start || wallClockMs >= parisDay.end) {
    const midnight = (t: number) => parisToEpoch(`${parisDateTime(t).slice(0, 10)} 00:00`) ?? t
    const start = midnight(wallClockMs)
    parisDay = { start, end: midnight(start + 36 * 3_600_000) }
  }
  const sinceMidnight = Math.floor((wallClockMs - parisDay.start) * 100)
  const number = Math.max(sinceMidnight, (lastNumberByDate.get(date) ?? -1) + 1)
  lastNumberByDate.set(date, number)
  return number
}

/** The fresh state for a set of options. */
export const initialState = (options: EmulatorOptions, now: number): EmulatorState => ({
  credits: Object.fromEntries(
    (options.apiKeys ?? ["dev-key"]).map((k) => [k, options.credits ?? 100]),
  ),
  audios: (
    options.audioFiles ?? [{ token: "dev-audio", name: "Message de test", durationSeconds: 7 }]
  ).map((a) => ({
    ...a,
    sizeKo: Math.round(a.durationSeconds * 15.5 * 10) / 10,
    createdAt: now,
  })),
  campaigns: {},
  callbacks: [],
  requests: [],
  limits: {},
  tasks: [],
  counters: { campaign: 0, callback: 0, request: 0 },
})

/**
 * The emulated provider: its state and what each endpoint does to it. HTTP concerns
 * (paths, JSON, statuses) live in `app.ts`.
 */
export class Emulator {
  state: EmulatorState
  readonly clock: EmulatorClock
  private readonly fetchFn: typeof globalThis.fetch
  private timer: ReturnType<typeof setTimeout> | undefined
  /** Injected failures (none by default); replaced by `setFaults`. */
  faults = new FaultPlan()

  constructor(readonly options: EmulatorOptions = {}) {
    this.clock = options.clock ?? systemClock
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.state = initialState(options, this.clock.now())
  }

  /** Whether due work runs on timers: on the wall clock, unless timers are disabled. */
  private get realTime(): boolean {
    return this.clock === systemClock && this.options.timers !== false
  }

  authenticate(apiKey: unknown): string {
    if (typeof apiKey !== "string" || apiKey.length === 0)
      throw new ProviderError(401, 1, "API key required")
    // Own keys only: "constructor" or "toString" is not a key because every object has one.
    if (!Object.hasOwn(this.state.credits, apiKey))
      throw new ProviderError(401, 10, "Wrong API key or action not allowed")
    return apiKey
  }

  limit(apiKey: string, endpoint: string): LimitVerdict | undefined {
    const setting = this.options.rateLimits ?? true
    if (setting === false) return undefined
    const windows =
      setting === true
        ? documentedLimits[endpoint]
        : (setting[endpoint] ?? documentedLimits[endpoint])
    if (windows === undefined || windows.length === 0) return undefined
    const key = `${fingerprint(apiKey)}:${endpoint}`
    const log = this.state.limits[key] ?? []
    this.state.limits[key] = log
    const verdict = checkLimit(log, windows, this.clock.now())
    if (!verdict.allowed) throw new ProviderError(429, 429, "Too many requests", verdict.headers)
    return verdict
  }

  record(entry: Omit<RequestRecord, "seq" | "at">): void {
    const limit = this.options.requestLogLimit ?? 10_000
    this.state.requests.push({ seq: ++this.state.counters.request, at: this.clock.now(), ...entry })
    // Trim in batches: one splice per ~10% growth instead of one per request.
    if (this.state.requests.length > limit + Math.ceil(limit / 10)) {
      this.state.requests.splice(0, this.state.requests.length - limit)
    }
  }

  credits(apiKey: string) {
    const credit = this.state.credits[apiKey] ?? 0
    return {
      success: true,
      credit: credit.toFixed(2),
      currency: "€",
      details: {
        tts: { h: Math.floor(credit / 5.4), m: 0, s: 0 },
        tts_fixe: { h: Math.floor(credit / 5.4), m: 0, s: 0 },
        voice: { message: Math.floor(credit / 0.06) },
      },
    }
  }

  audios() {
    return {
      nb_datas: this.state.audios.length,
      datas: this.state.audios.map((a) => ({
        name: a.name,
        token: a.token,
        size: `${a.sizeKo}Ko`,
        duration: `${Math.floor(a.durationSeconds / 60)}:${pad(a.durationSeconds % 60)}`,
        created_at: {
          date: `${parisDateTime(a.createdAt)}.000000`,
          timezone_type: 3,
          timezone: "Europe/Paris",
        },
      })),
    }
  }

  rename(body: Record<string, unknown>) {
    const token = body.tokenAudio
    if (typeof token !== "string" || token.length === 0)
      throw new ProviderError(400, "TOKEN_AUDIO_REQUIRED", "tokenAudio is required")
    const audio = this.state.audios.find((a) => a.token === token)
    if (audio === undefined)
      throw new ProviderError(404, "AUDIO_FILE_NOT_FOUND", "Audio file not found")
    const filename = body.filename
    if (typeof filename !== "string" || filename.length < 3 || filename.length > 50) {
      throw new ProviderError(400, "FILENAME_INVALID", "filename must be 3 to 50 characters")
    }
    audio.name = filename
    return { success: true, filename, tokenAudio: token }
  }

  private destinations(raw: unknown): Array<Destination> {
    if (typeof raw !== "string" || raw.trim().length === 0) {
      throw new ProviderError(400, "PHONE_NUMBER_REQUIRED", "phoneNumbers is required")
    }
    const entries = raw
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
    if (entries.length > MAX_NUMBERS) {
      throw new ProviderError(
        400,
        "PHONE_NUMBER_SIZE_ERROR",
        `At most ${MAX_NUMBERS} phone numbers per request`,
      )
    }
    const out: Array<Destination> = []
    for (const entry of entries) {
      const d = readDestination(entry)
      if (d === undefined)
        throw new ProviderError(400, "DESTINATION_INVALID", `Invalid destination: ${entry}`)
      out.push(d)
    }
    return out
  }

  private schedule(raw: unknown): number {
    const now = this.clock.now()
    if (raw === undefined || raw === null || raw === "") return now
    const at = typeof raw === "string" ? parisToEpoch(raw) : undefined
    if (at === undefined)
      throw new ProviderError(
        400,
        "SCHEDULED_DATE_INVALID",
        "scheduledDate must be YYYY-MM-DD HH:MM:SS",
      )
    return Math.max(at, now)
  }

  private notifyUrl(raw: unknown): string | undefined {
    if (raw === undefined || raw === null || raw === "") return undefined
    if (typeof raw === "string") {
      try {
        const url = new URL(raw)
        if (url.protocol === "http:" || url.protocol === "https:") return url.toString()
      } catch {}
    }
    throw new ProviderError(400, "NOTIFY_URL_INVALID", "notifyUrl is not a valid URL")
  }

  send(apiKey: string, kind: "tts" | "vms", body: Record<string, unknown>) {
    const numbers = this.destinations(body.phoneNumbers)
    let durationSeconds: number
    let tokenAudio: string | undefined
    if (kind === "vms" || body.tokenAudio !== undefined) {
      if (typeof body.tokenAudio !== "string" || body.tokenAudio.length === 0) {
        throw new ProviderError(400, "TOKEN_AUDIO_REQUIRED", "tokenAudio is required")
      }
      const audio = this.state.audios.find((a) => a.token === body.tokenAudio)
      if (audio === undefined)
        throw new ProviderError(404, "AUDIO_FILE_NOT_FOUND", "Audio file not found")
      tokenAudio = audio.token
      durationSeconds = audio.durationSeconds
    } else {
      if (typeof body.text !== "string" || body.text.trim().length === 0) {
        throw new ProviderError(400, "TEXT_REQUIRED", "text or tokenAudio is required")
      }
      const rate =
        typeof body.speechRate === "number" ? Math.min(2, Math.max(0.5, body.speechRate)) : 1
      durationSeconds = speechSeconds(body.text, rate)
    }
    if (kind === "vms") {
      const email = body.emailForNotification
      if (typeof email !== "string" || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        throw new ProviderError(
          400,
          "EMAIL_INVALID",
          "emailForNotification is required and must be an e-mail address",
        )
      }
      if (body.sender !== undefined && body.sender !== "") {
        const sender = typeof body.sender === "string" ? readDestination(body.sender) : undefined
        if (sender === undefined)
          throw new ProviderError(400, "SENDER_INVALID", "sender is not a valid phone number")
        const authorized = (this.options.authorizedSenders ?? []).map(
          (s) => readDestination(s)?.international,
        )
        if (!authorized.includes(sender.international)) {
          throw new ProviderError(
            403,
            "SENDER_NOT_AUTHORIZED",
            "sender has not been validated in the web app",
          )
        }
      }
    }
    const notifyUrl = this.notifyUrl(body.notifyUrl)
    const runAt = this.schedule(body.scheduledDate)
    const prices = this.options.prices ?? defaultPrices
    const detail: Record<
      string,
      { nbSms: number; cost_unity: number; cost: number; country_code?: string; duration?: number }
    > = {}
    for (const n of numbers) {
      const price = priceFor(prices, n.countryCode)
      const unit =
        kind === "vms" ? price.vmsPerMessage : price.ttsPer30s * Math.ceil(durationSeconds / 30)
      const entry = detail[n.countryCode] ?? { nbSms: 0, cost_unity: unit, cost: 0 }
      entry.nbSms++
      entry.cost = cents(entry.cost + unit)
      if (kind === "tts") {
        entry.country_code = n.countryCode === "33" ? "fr" : n.countryCode
        entry.duration = durationSeconds
      }
      detail[n.countryCode] = entry
    }
    const cost = cents(Object.values(detail).reduce((sum, d) => sum + d.cost, 0))
    const credit = this.state.credits[apiKey] ?? 0
    if (cost > credit + 1e-9) throw new ProviderError(402, "NOT_CREDIT", "Insufficient credit")
    this.state.credits[apiKey] = cents(credit - cost)
    const now = this.clock.now()
    const date = parisDateTime(now).slice(0, 10).replaceAll("-", "")
    const wallClock = this.clock === systemClock ? now : Date.now()
    const id = `NDA_${date}_${pad(campaignNumber(date, wallClock), 10)}`
    this.state.counters.campaign++
    const campaign: CampaignRecord = {
      id,
      token: `tok_${id.toLowerCase()}`,
      kind,
      apiKeyFingerprint: fingerprint(apiKey),
      numbers,
      cost,
      currency: "EUR",
      durationSeconds,
      ...(tokenAudio !== undefined && { tokenAudio }),
      ...(notifyUrl !== undefined && { notifyUrl }),
      status: "scheduled",
      createdAt: now,
      runAt,
    }
    this.state.campaigns[id] = campaign
    // An immediate send runs now; only scheduled ones wait in the task queue.
    if (runAt <= now) this.run(id)
    else this.addTask({ at: runAt, kind: "run", campaignId: id })
    const common = {
      success: true,
      campaignId: id,
      cost,
      currency: "EUR",
      nbSms: numbers.length,
      detail,
    }
    if (kind === "vms") {
      const audio = this.state.audios.find((a) => a.token === tokenAudio)
      return {
        ...common,
        audioFile: { filename: audio?.name ?? "", size: `${audio?.sizeKo ?? 0}Ko` },
      }
    }
    return {
      ...common,
      lang: typeof body.lang === "string" ? body.lang : "fr",
      duration: durationSeconds,
    }
  }

  cancel(apiKey: string, campaignId: string) {
    const campaign = this.state.campaigns[campaignId]
    if (campaign === undefined || campaign.apiKeyFingerprint !== fingerprint(apiKey)) {
      throw new ProviderError(404, 404, "Campaign not found")
    }
    if (campaign.status !== "scheduled" || campaign.runAt <= this.clock.now()) {
      throw new ProviderError(
        400,
        "CAMPAIGN_NOT_CANCELLABLE",
        `Campaign is ${campaign.status === "scheduled" ? "running" : campaign.status}`,
      )
    }
    campaign.status = "cancelled"
    this.state.tasks = this.state.tasks.filter(
      (t) => !(t.kind === "run" && t.campaignId === campaignId),
    )
    this.state.credits[apiKey] = cents((this.state.credits[apiKey] ?? 0) + campaign.cost)
    return { success: true, campaignId, assignedCredit: campaign.cost.toFixed(2), currency: "EUR" }
  }

  private addTask(task: Task): void {
    // Binary insertion keeps the queue ordered (ties in arrival order) without re-sorting.
    const tasks = this.state.tasks
    let low = 0
    let high = tasks.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if ((tasks[mid] as Task).at <= task.at) low = mid + 1
      else high = mid
    }
    tasks.splice(low, 0, task)
    if (this.realTime && low === 0) this.arm()
  }

  /**
   * On the wall clock, wakes up when the next task is due. A task more than 24.8 days
   * ahead is beyond what `setTimeout` can wait (it would fire at once): the timer then
   * wakes up at the longest delay it honours, finds nothing due, and re-arms.
   */
  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    const next = this.state.tasks[0]
    if (next === undefined) return
    this.timer = setTimeout(
      () => {
        this.timer = undefined
        void this.runDue()
      },
      timerDelay(next.at - this.clock.now()),
    )
    ;(this.timer as { unref?: () => void }).unref?.()
  }

  /** Runs every task due at the clock's current time (sends, callback deliveries). */
  async runDue(): Promise<void> {
    for (;;) {
      const task = this.state.tasks[0]
      if (task === undefined || task.at > this.clock.now()) break
      this.state.tasks.shift()
      if (task.kind === "run") this.run(task.campaignId)
      else await this.deliver(task.callbackId)
    }
    if (this.realTime) this.arm()
  }

  private run(campaignId: string): void {
    const campaign = this.state.campaigns[campaignId]
    if (campaign === undefined || campaign.status !== "scheduled") return
    campaign.status = "sent"
    if (campaign.notifyUrl === undefined) return
    const at = this.clock.now() + (this.options.callbackDelayMs ?? 2_000)
    const outcomes = this.options.outcomes ?? { "99": "undelivered", "98": "not-answered" }
    const doneAt = parisDateTime(at)
    const sendAt = parisDateTime(campaign.runAt)
    if (campaign.kind === "vms") {
      const url = new URL(campaign.notifyUrl)
      const delivered = campaign.numbers.filter(
        (n) => outcomeOf(outcomes, n.international) === "delivered",
      ).length
      url.searchParams.set("campaign_token", campaign.token)
      url.searchParams.set("campaign_id", campaign.id)
      url.searchParams.set("delivered_quantity", String(delivered))
      url.searchParams.set("total_quantity", String(campaign.numbers.length))
      const drop = { campaignId: campaign.id, method: "GET" as const, url: url.toString() }
      for (const callback of this.faults.arrange([drop])) this.addCallback(callback, at)
      return
    }
    const notifyUrl = campaign.notifyUrl
    const callbacks = campaign.numbers.map((n) => {
      const outcome = outcomeOf(outcomes, n.international)
      return {
        campaignId: campaign.id,
        method: "POST" as const,
        url: notifyUrl,
        body: {
          campaignId: campaign.id,
          status: outcome === "not-answered" ? "delivered" : outcome,
          additionnal_status: outcome === "delivered" ? "VOICE_ANSWERED" : "VOICE_NOT_ANSWERED",
          phoneNumber: callbackForm(n),
          sendAt,
          doneAt,
          duration: outcome === "delivered" ? campaign.durationSeconds : 0,
          ...(campaign.tokenAudio !== undefined && {
            audioFileComplementaire: { status: "Deposit" },
          }),
        },
      }
    })
    for (const callback of this.faults.arrange(callbacks)) this.addCallback(callback, at)
  }

  private addCallback(
    callback: Omit<CallbackRecord, "id" | "attempts" | "delivered">,
    at: number,
  ): void {
    const record: CallbackRecord = {
      id: ++this.state.counters.callback,
      attempts: [],
      delivered: false,
      ...callback,
    }
    this.state.callbacks.push(record)
    this.addTask({ at, kind: "deliver", callbackId: record.id })
  }

  private async deliver(callbackId: number): Promise<void> {
    const callback = this.state.callbacks.find((c) => c.id === callbackId)
    if (callback === undefined || callback.delivered) return
    const at = this.clock.now()
    try {
      const response = await this.fetchFn(callback.url, {
        method: callback.method,
        ...(callback.body !== undefined && {
          headers: { "content-type": "application/json" },
          body: JSON.stringify(callback.body),
        }),
      })
      await response.body?.cancel()
      callback.attempts.push({ at, status: response.status })
      callback.delivered = response.ok
    } catch (error) {
      callback.attempts.push({ at, error: error instanceof Error ? error.message : String(error) })
    }
    const delay = RETRY_DELAYS_MS[callback.attempts.length - 1]
    if (!callback.delivered && delay !== undefined)
      this.addTask({ at: at + delay, kind: "deliver", callbackId })
  }

  /**
   * Sets the credit left, in EUR (rounded to the cent), of one key or of every key; a
   * reset goes back to the starting credit. Returns how many keys were set (0 for a key
   * that is not valid: this never creates one).
   */
  setCredit(credit: number, apiKey?: string): number {
    const keys =
      apiKey === undefined
        ? Object.keys(this.state.credits)
        : Object.hasOwn(this.state.credits, apiKey)
          ? [apiKey]
          : []
    for (const key of keys) this.state.credits[key] = cents(credit)
    return keys.length
  }

  /** Replaces the injected faults (an empty object clears them). */
  setFaults(faults: Faults): void {
    this.faults = new FaultPlan(faults)
  }

  /** Back to the initial state (keys, credits, audio files), keeping the options; clears faults. */
  reset(): void {
    this.state = initialState(this.options, this.clock.now())
    this.faults = new FaultPlan()
    if (this.realTime) this.arm()
  }

  /** Replaces the whole state with a snapshot taken by `state` (JSON). */
  restore(snapshot: EmulatorState): void {
    this.state = structuredClone(snapshot)
    if (this.realTime) this.arm()
  }

  /**
   * Waits for, and runs, every task due within `maxWaitMs` (real time). Workers call it
   * through `ctx.waitUntil`, since an isolate's timers do not outlive its requests.
   */
  async settle(maxWaitMs: number): Promise<void> {
    const deadline = this.clock.now() + maxWaitMs
    for (;;) {
      const next = this.state.tasks[0]
      if (next === undefined || next.at > deadline) return
      const wait = next.at - this.clock.now()
      if (wait > 0) await sleep(wait)
      await this.runDue()
    }
  }

  /** Stops timers (the Node server calls this on shutdown). */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
}

const outcomeOf = (
  outcomes: Readonly<Record<string, "undelivered" | "not-answered" | "pending">>,
  international: string,
): "delivered" | "undelivered" | "not-answered" | "pending" => {
  for (const [suffix, outcome] of Object.entries(outcomes))
    if (international.endsWith(suffix)) return outcome
  return "delivered"
}
