// POST /v1/broadcasts with `Content-Type: text/csv`: a CRM export as it is (quoted
// delimiters and line breaks, Windows-1252, blank rows), the message fields as query
// parameters; the same plan as the JSON form, 400s naming the parameter, and the
// estimated cost in the plan and the status. In workerd, with the in-isolate emulator.
import { env, listDurableObjectIds, runDurableObjectAlarm } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { answer, broadcastStub, gateway, passTime, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

const stub = broadcastStub
const later = () => new Date(Date.now() + 3_600_000).toISOString()

/** A CSV upload: `query` as parameters, `body` as it is (text is sent as UTF-8). */
const upload = async (
  query: Record<string, string>,
  body: BodyInit | null,
  headers: Record<string, string> = {},
) =>
  answer(
    await gateway(`/v1/broadcasts?${new URLSearchParams(query)}`, {
      token: TOKENS.alpha,
      method: "POST",
      headers: { "content-type": "text/csv", ...headers },
      body,
    }),
  )

const createJson = async (body: unknown) =>
  answer(await gateway("/v1/broadcasts", { token: TOKENS.alpha, json: body }))

const VOICEMAIL = {
  type: "voicemail",
  tokenAudio: "dev-audio",
  emailForNotification: "ops@example.com",
}

/** Latin-1 bytes of a text (every character here is in Windows-1252's Latin-1 part). */
const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))

/**
 * A CRM export (French Excel: `;`, CRLF, Windows-1252): a quoted company holding the
 * delimiter, a quoted address over two lines, blank rows, an invalid number, a repeat, a
 * landline, a Belgian mobile. Its phone column's cells, in order, are `cells`.
 */
const crm = () => {
  const lines = [
    "Civilité;Nom;Prénom;Société;Adresse;Téléphone portable;E-mail",
    'M.;Dupont;Hélène;"Dupont; fils & Cie";"1 rue de la Paix',
    'Paris";06 12 34 56 78;h.dupont@example.fr',
    "Mme;Martin;Zoé;Martin SA;;07 52 34 56 78;",
    "",
    ";;;;;;",
    'M.;Lefèvre;Noël;"Lefèvre ""et associés""";;+33 6 12 34 56 78;',
    "Mme;Durand;Chloé;;;12;",
    "M.;Bernard;Léo;;;01 23 45 67 89;",
    "Mme;Peeters;Anaïs;;;+32 470 12 34 56;",
    "",
  ]
  const cells = ["06 12 34 56 78", "07 52 34 56 78", "", "", "+33 6 12 34 56 78", "12"]
  cells.push("01 23 45 67 89", "+32 470 12 34 56")
  return { text: lines.join("\r\n"), cells }
}

const drive = async (id: string) => {
  for (let i = 0; i < 30; i++) {
    const s = (await answer(await gateway(`/v1/broadcasts/${id}`, { token: TOKENS.alpha }))).json
    if (s.status !== "running" && s.status !== "scheduled") return s
    const done = s.chunks.sent + s.chunks.failed + s.chunks.unknown
    await runDurableObjectAlarm(stub(id))
    const after = (await answer(await gateway(`/v1/broadcasts/${id}`, { token: TOKENS.alpha })))
      .json
    if (after.chunks.sent + after.chunks.failed + after.chunks.unknown === done)
      await passTime(h, 61_000, id)
  }
  throw new Error(`broadcast ${id} did not finish`)
}

const drops = () => h.upstream.requests().filter((r) => r.path.endsWith("/campaign/send"))

/** Runs the client's ledger alarms (webhook deliveries) while the harness still receives them. */
const settleLedger = async () => {
  const ledger = env.LEDGER.get(env.LEDGER.idFromName("alpha"))
  for (let i = 0; i < 20 && (await runDurableObjectAlarm(ledger)); i++);
}

describe("POST /v1/broadcasts with a CSV", () => {
  it("plans a CRM export (Windows-1252, quoted delimiters, blank rows) as the JSON form plans its cells", async () => {
    const { text, cells } = crm()
    const csv = await upload({ ...VOICEMAIL, dryRun: "true" }, latin1(text))
    expect(csv.status).toBe(200)
    const json = await createJson({
      type: "voicemail",
      message: { tokenAudio: "dev-audio", emailForNotification: "ops@example.com" },
      recipients: cells,
      dryRun: true,
    })
    expect(json.status).toBe(200)
    const { invalid: csvInvalid, ...csvCounts } = csv.json.plan.recipients
    const { invalid: jsonInvalid, ...jsonCounts } = json.json.plan.recipients
    expect(csvCounts).toEqual(jsonCounts)
    expect(csvCounts).toEqual({
      total: 8,
      valid: 4,
      duplicates: 1,
      empty: 2,
      mobile: 3,
      landline: 1,
      other: 0,
      invalidCount: 1,
    })
    // A row of a CSV is its line in the file (the header is line 1; the quoted address
    // spans lines 2 and 3); a row of the JSON form is its position.
    expect(csvInvalid).toEqual([{ ...jsonInvalid[0], row: 8 }])
    expect(jsonInvalid[0]).toMatchObject({ row: 6, input: "12" })
    const { recipients: _a, warnings: csvWarnings, ...csvPlan } = csv.json.plan
    const { recipients: _b, warnings: jsonWarnings, ...jsonPlan } = json.json.plan
    expect({ ...csvPlan, estimatedEndAt: "" }).toEqual({ ...jsonPlan, estimatedEndAt: "" })
    // The same warnings, each naming the field as the request gave it: the body here.
    expect(csvWarnings).toEqual(
      jsonWarnings.map((w: { field: string }) => ({
        ...w,
        field: w.field === "recipients" ? "body" : w.field,
      })),
    )
    // 3 French numbers at 0.06 EUR, 1 Belgian at 0.12: an estimate from core's price table.
    expect(csv.json.plan.estimatedCost).toEqual({
      amount: 0.3,
      currency: "EUR",
      estimate: true,
      secondsPerMessage: null,
    })
    expect(csv.json.plan.warnings).toContainEqual({
      field: "body",
      message: expect.stringContaining("1 landline will ring"),
    })
    expect(h.upstream.requests()).toHaveLength(0)
  })

  it("creates and sends it: the rows are the file's lines, the status shows the estimate", async () => {
    const { text } = crm()
    const created = await upload({ ...VOICEMAIL, name: "Relance CRM" }, latin1(text))
    expect(created.status).toBe(201)
    const id = created.json.id as string
    const done = await drive(id)
    expect(done).toMatchObject({
      status: "completed",
      name: "Relance CRM",
      chunks: { total: 1, sent: 1 },
      plan: { estimatedCost: { amount: 0.3, currency: "EUR", estimate: true } },
    })
    expect(drops()).toHaveLength(1)
    const body = drops()[0]?.body as { phoneNumbers: string } | undefined
    expect(String(body?.phoneNumbers).split(",")).toEqual([
      "+33612345678",
      "+33752345678",
      "+33123456789",
      "+32470123456",
    ])
    const page = await answer(
      await gateway(`/v1/broadcasts/${id}/recipients`, { token: TOKENS.alpha }),
    )
    expect(page.json.recipients.map((r: { row: number }) => r.row)).toEqual([2, 4, 9, 10])
    const report = await gateway(`/v1/broadcasts/${id}/report.csv`, { token: TOKENS.alpha })
    expect((await report.text()).split("\r\n")[1]).toMatch(/^2,\+33612345678,mobile,0,sent,/)
    await settleLedger()
  })

  it("answers a voice SMS upload's plan with the text's seconds, a UTF-8 file with a BOM and a comma", async () => {
    const text = '\uFEFFname,phone\nA,0612345678\nB,"07 52 34 56 78"\n'
    const planned = await upload(
      {
        type: "tts",
        text: "Bonjour, votre rendez-vous est demain à dix heures",
        speechRate: "1",
        dryRun: "true",
      },
      text,
    )
    expect(planned.status).toBe(200)
    expect(planned.json.plan.recipients).toMatchObject({ total: 2, valid: 2 })
    // 8 words at 2.5 a second and a comma: 4 s, one 30 s unit at 0.09 EUR, twice.
    expect(planned.json.plan.estimatedCost).toEqual({
      amount: 0.18,
      currency: "EUR",
      estimate: true,
      secondsPerMessage: 4,
    })
  })

  it("answers 400 naming the parameter, before reading the body; nothing stored or sent", async () => {
    const objects = (await listDurableObjectIds(env.BROADCASTS)).length
    const { text } = crm()
    const cases: Array<[Record<string, string>, string]> = [
      [{ ...VOICEMAIL, type: "sms" }, "type"],
      [{ type: "voicemail", emailForNotification: "ops@example.com" }, "tokenAudio"],
      [{ ...VOICEMAIL, emailForNotification: "nope" }, "emailForNotification"],
      [{ type: "tts", text: "Bonjour", speechRate: "vite" }, "speechRate"],
      [{ ...VOICEMAIL, dryRun: "yes" }, "dryRun"],
      [{ ...VOICEMAIL, startAt: "2020-01-01T00:00:00Z" }, "startAt"],
      [{ ...VOICEMAIL, notifyUrl: "https://127.0.0.1/hook" }, "notifyUrl"],
      [{ ...VOICEMAIL, scheduledDate: later() }, "scheduledDate"],
      [{ ...VOICEMAIL, name: "" }, "name"],
    ]
    for (const [query, field] of cases) {
      const refused = await upload(query, latin1(text))
      expect(refused.status, field).toBe(400)
      expect(refused.json.error.field, JSON.stringify(query)).toBe(field)
    }
    // A body that never ends: the parameters are answered without waiting for it.
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new TextEncoder().encode("0612345678\n")),
    })
    const early = await upload({ ...VOICEMAIL, type: "fax" }, endless)
    expect(early.status).toBe(400)
    expect(early.json.error.field).toBe("type")
    expect(await listDurableObjectIds(env.BROADCASTS)).toHaveLength(objects)
    expect(h.upstream.requests()).toHaveLength(0)
  })

  it("a CSV it cannot read: the column (headers found listed), the line of a bad quote, no valid row", async () => {
    const objects = (await listDurableObjectIds(env.BROADCASTS)).length
    const noPhone = await upload(VOICEMAIL, "Nom;Email;Ville\nA;a@b.fr;Paris\n")
    expect(noPhone.status).toBe(400)
    expect(noPhone.json.error.field).toBe("column")
    expect(noPhone.json.error.message).toContain('headers found in upload: "Nom", "Email", "Ville"')
    expect(noPhone.json.error.message).toContain("column=NAME or column=N")
    const several = "Nom;Fixe;Portable;Mobile\nA;0123456789;0612345678;0752345678\n"
    const ambiguous = await upload(VOICEMAIL, several)
    expect(ambiguous.json.error).toMatchObject({ field: "column" })
    expect(ambiguous.json.error.message).toContain('"Portable" (column 3), "Mobile" (column 4)')
    const chosen = await upload({ ...VOICEMAIL, column: "mobile", dryRun: "true" }, several)
    expect(chosen.status).toBe(200)
    expect(chosen.json.plan.recipients).toMatchObject({ valid: 1, mobile: 1 })
    const byNumber = await upload({ ...VOICEMAIL, column: "2", dryRun: "true" }, several)
    expect(byNumber.json.plan.recipients).toMatchObject({ valid: 1, landline: 1 })
    const unknown = await upload({ ...VOICEMAIL, column: "Fax" }, several)
    expect(unknown.json.error).toMatchObject({ field: "column" })
    expect(unknown.json.error.message).toContain('column="Fax": no such column')
    const unclosed = await upload(VOICEMAIL, 'nom;tel\nA;0612345678\n"B;0752345678\nC;06\n')
    expect(unclosed.json.error).toMatchObject({ field: "body" })
    expect(unclosed.json.error.message).toContain("upload:3: a quoted field starts here")
    const nothing = await upload(VOICEMAIL, "Téléphone\n12\n\n")
    expect(nothing.status).toBe(400)
    expect(nothing.json.error.field).toBe("body")
    const empty = await upload(VOICEMAIL, "")
    expect(empty.json.error.field).toBe("body")
    expect(await listDurableObjectIds(env.BROADCASTS)).toHaveLength(objects)
  })

  it("honours Idempotency-Key: the same upload answers the same broadcast", async () => {
    const { text } = crm()
    const headers = { "idempotency-key": "crm-export-2026-11" }
    const query = { ...VOICEMAIL, startAt: later() }
    const first = await upload(query, latin1(text), headers)
    expect(first.status).toBe(201)
    const again = await upload(query, latin1(text), headers)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
    expect(again.json.id).toBe(first.json.id)
    const other = await upload(query, latin1(`${text}0699999999\r\n`), headers)
    expect(other.status).toBe(422)
  })

  it("refuses more than 1,000,000 rows, naming the body", async () => {
    const rows = ["telephone"]
    for (let i = 0; i <= 1_000_000; i++) rows.push(`06${String(i % 100_000_000).padStart(8, "0")}`)
    const refused = await upload(VOICEMAIL, rows.join("\n"))
    expect(refused.status).toBe(400)
    expect(refused.json.error.field).toBe("body")
    expect(refused.json.error.message).toContain("1,000,000")
  }, 60_000)

  it("a retry's plan carries the estimate of what it sends again", async () => {
    h.upstream.setFaults({ failSends: [1], failStatus: 500 })
    const created = await createJson({
      type: "voicemail",
      message: { tokenAudio: "dev-audio", emailForNotification: "ops@example.com" },
      recipients: ["0612345678", "+32470123456"],
    })
    const done = await drive(created.json.id)
    expect(done.chunks).toMatchObject({ unknown: 1 })
    h.upstream.setFaults({})
    const retried = await answer(
      await gateway(`/v1/broadcasts/${created.json.id}/retry?includeUnknown=true`, {
        token: TOKENS.alpha,
        method: "POST",
      }),
    )
    expect(retried.status).toBe(201)
    expect(retried.json.plan.estimatedCost).toEqual({
      amount: 0.18,
      currency: "EUR",
      estimate: true,
      secondsPerMessage: null,
    })
    // Sent, and the ledger's work done, by the test's end: nothing runs after the harness.
    expect((await drive(retried.json.id)).status).toBe("completed")
    await settleLedger()
  })
})
