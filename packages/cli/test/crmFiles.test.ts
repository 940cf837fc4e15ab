import { spawnSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { bin, runIn, tempDir } from "./helpers.js"

// Dry runs do no IO: no emulator needed, and the documented rate limits apply.
const dir = tempDir("vp-crm-")
const runBase = runIn(dir)
const run = (args: ReadonlyArray<string>) => runBase(args, { VOICEPARTNER_RATE_LIMIT: "" })

const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}
const vmsDry = (path: string, ...extra: Array<string>) =>
  run([
    "vms",
    "send",
    "--audio",
    "dev-audio",
    "--email",
    "a@b.fr",
    "--to-file",
    path,
    "--dry-run",
    ...extra,
  ])
const ttsDry = (path: string, ...extra: Array<string>) =>
  run(["tts", "send", "Bonjour", "--to-file", path, "--dry-run", ...extra])
const planOf = (path: string, ...extra: Array<string>) => {
  const r = ttsDry(path, "--json", ...extra)
  expect(r.stderr).toBe("")
  return JSON.parse(r.stdout)
}

describe("CRM files: a real CSV parser", () => {
  it("a quoted field holding the delimiter does not shift the columns", () => {
    const path = file(
      "quoted.csv",
      'nom;societe;telephone\nA;"Dupont; et fils";0612345678\nB;"Martin ""SA""";0752345678\n',
    )
    const plan = planOf(path)
    expect(plan.numbers).toEqual(["+33612345678", "+33752345678"])
    expect(plan.invalid).toEqual([])
  })

  it("a quoted field spanning two lines keeps the line numbers of the file", () => {
    const path = file("multiline.csv", 'nom,adresse,phone\nA,"1 rue X\nParis",0612345678\nB,x,12\n')
    const plan = planOf(path)
    expect(plan.numbers).toEqual(["+33612345678"])
    expect(plan.invalid.map((i: { origin: string }) => i.origin)).toEqual([`${path}:4`])
  })

  it("a UTF-8 byte-order mark before the header is ignored", () => {
    const plan = planOf(file("bom.csv", "\uFEFFtelephone;nom\n0612345678;A\n"))
    expect(plan.numbers).toEqual(["+33612345678"])
  })

  it("Windows-1252 (French Excel) is detected and decoded: Téléphone is found", () => {
    const path = file(
      "excel.csv",
      Buffer.from("Nom;Prénom;Téléphone\r\nDupont;Hélène;0612345678\r\n", "latin1"),
    )
    const plan = planOf(path)
    expect(plan.numbers).toEqual(["+33612345678"])
    expect(plan.sources[0]).toMatchObject({ encoding: "windows-1252", column: "Téléphone" })
  })

  it("the delimiter is detected from the header line: ; , or tab", () => {
    for (const [name, text] of [
      ["semi.csv", "nom;tel\nA;0612345678\n"],
      ["comma.csv", "nom,tel\nA,0612345678\n"],
      ["tab.tsv", "nom\ttel\nA\t0612345678\n"],
    ] as const) {
      expect(planOf(file(name, text)).numbers, name).toEqual(["+33612345678"])
    }
  })

  it("header synonyms in French and English, case/accent/punctuation-insensitive", () => {
    for (const header of [
      "Téléphone",
      "TELEPHONE",
      "Tél. portable",
      "Tel",
      "Portable",
      "Numéro de téléphone",
      "N° de portable",
      "Mobile",
      "Phone",
      "Phone Number",
      "phone_number",
      "GSM",
      "Cell phone",
    ]) {
      const path = file("synonym.csv", `Nom;${header};Email\nA;0612345678;a@b.fr\n`)
      expect(planOf(path).numbers, header).toEqual(["+33612345678"])
    }
  })

  it("several phone columns: a usage error naming them; --column NAME or N chooses", () => {
    const path = file(
      "two.csv",
      "Nom;Téléphone fixe;Portable\nA;0112345678;0612345678\nB;0212345678;0752345678\n",
    )
    const r = ttsDry(path)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('"Téléphone fixe"')
    expect(r.stderr).toContain('"Portable"')
    expect(r.stderr).toContain("--column")
    expect(planOf(path, "--column", "portable").numbers).toEqual(["+33612345678", "+33752345678"])
    expect(planOf(path, "--column", "2").numbers).toEqual(["+33112345678", "+33212345678"])
    expect(planOf(path, "--column", "TELEPHONE FIXE").numbers).toEqual([
      "+33112345678",
      "+33212345678",
    ])
  })

  it("no phone column: a usage error naming the headers found", () => {
    const path = file("none.csv", "Nom;Email;Ville\nA;a@b.fr;Paris\n")
    const r = ttsDry(path)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('"Nom", "Email", "Ville"')
    expect(r.stderr).toContain("--column")
    const unknown = ttsDry(path, "--column", "Fax")
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('"Nom", "Email", "Ville"')
  })

  it("no header row of text (first row is a number): numbers in the first column", () => {
    const plan = planOf(file("headerless.csv", "0612345678;Dupont\n0752345678;Durand\n"))
    expect(plan.numbers).toEqual(["+33612345678", "+33752345678"])
    const plain = planOf(file("plain.txt", "06 12 34 56 78\n07 52 34 56 78\n"))
    expect(plain.numbers).toEqual(["+33612345678", "+33752345678"])
  })

  it("an unclosed quote is a usage error with its line", () => {
    const path = file("unclosed.csv", 'nom;tel\nA;0612345678\n"B;0752345678\nC;0612345679\n')
    const r = ttsDry(path)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${path}:3`)
  })
})

describe("every row accounted for", () => {
  it("valid + invalid + duplicates + empty = rows read, in the summary and in --json", () => {
    const path = file(
      "rows.csv",
      "nom;telephone\nA;0612345678\n\nB;0752345678\n;\nC;12\nD;06 12 34 56 78\n\n",
    )
    const plan = planOf(path)
    expect(plan.rows).toEqual({ read: 7, valid: 2, invalid: 1, duplicates: 1, empty: 3 })
    const text = ttsDry(path)
    expect(text.code).toBe(0)
    expect(text.stdout).toContain("7 rows read: 2 valid, 1 invalid, 1 duplicates, 3 empty")
  })

  it("output piped into head ends quietly (no EPIPE stack trace)", () => {
    const numbers = Array.from({ length: 50_000 }, (_, i) => `06${String(i).padStart(8, "0")}`)
    const path = file("many.txt", `${numbers.join("\n")}\n`)
    for (const flag of ["--json", "--list"]) {
      const r = spawnSync(
        "sh",
        [
          "-c",
          `"${process.execPath}" "${bin}" tts send Hi --to-file "${path}" --dry-run ${flag} | head -c 100`,
        ],
        { cwd: dir, env: { ...process.env, NO_COLOR: "1" } },
      )
      expect(r.stdout.length, flag).toBe(100) // bytes
      expect(r.stderr.toString(), flag).toBe("")
    }
  })
})

describe("scale", () => {
  it("200,000 rows are read and planned (no 'Maximum call stack size exceeded')", () => {
    const rows = Array.from(
      { length: 200_000 },
      (_, i) => `${i};"Client ${i}; SARL";06${String(i).padStart(8, "0")}`,
    )
    const path = file("big.csv", `id;societe;telephone\n${rows.join("\n")}\n`)
    const r = vmsDry(path, "--json")
    expect(r.stderr).toBe("")
    const plan = JSON.parse(r.stdout)
    expect(plan.rows.valid).toBe(200_000)
    expect(plan.requests).toBe(400)
  })
})

describe("plans people can read", () => {
  const rows = [
    "nom;telephone",
    ...Array.from({ length: 30 }, (_, i) => `bad${i};12${i}`),
    ...Array.from({ length: 25 }, (_, i) => `fixe${i};01${String(10_000_000 + i)}`),
    ...Array.from({ length: 10 }, (_, i) => `mobile${i};06${String(10_000_000 + i)}`),
    "etranger;+32470123456",
    "service;0812345678",
  ]

  it("a summary, not every number: kinds, invalid (first 20), landlines (first 20), requests, time, cost", () => {
    const path = file("mixed.csv", `${rows.join("\n")}\n`)
    const r = vmsDry(path)
    expect(r.code).toBe(0)
    const out = r.stdout
    expect(out).toContain("67 rows read: 37 valid, 30 invalid, 0 duplicates, 0 empty")
    expect(out).toContain("11 mobile, 25 landline, 1 other")
    expect(out).toContain(`${path}:2`) // first invalid row
    expect(out).toContain(`${path}:21`) // 20th invalid row
    expect(out).not.toContain(`${path}:22:`)
    expect(out).toContain("and 10 more invalid")
    expect(out).toContain("+33110000000") // first landline it would ring
    expect(out).toContain("+33110000019") // 20th
    expect(out).not.toContain("+33110000020")
    expect(out).toContain("and 5 more landlines")
    expect(out).not.toContain("+33610000000") // mobiles only with --list
    expect(out).toContain("requests: 1")
    expect(out).toMatch(/estimated time.*5 requests\/min.*2000\/h/)
    expect(out).toMatch(/estimated cost: 2\.28 EUR/) // 36 × 0.06 (France) + 1 × 0.12 (Belgium)
    const list = vmsDry(path, "--list").stdout
    expect(list).toContain("+33610000000 mobile")
    expect(list).toContain("+33110000024 landline")
  })

  it("voice SMS cost follows the text's length (per started 30 s)", () => {
    const path = file(
      "ten.txt",
      `${Array.from({ length: 10 }, (_, i) => `06${String(10_000_000 + i)}`).join("\n")}\n`,
    )
    const short = JSON.parse(ttsDry(path, "--json").stdout)
    expect(short.estimatedCost).toMatchObject({ EUR: 0.9 }) // 10 × 0.09
    const long = "mot ".repeat(100) // 100 words ≈ 40 s at rate 1: two 30 s units
    const r = run(["tts", "send", long, "--to-file", path, "--dry-run", "--json"])
    expect(JSON.parse(r.stdout).estimatedCost).toMatchObject({ EUR: 1.8 })
  })

  it("--json carries the whole plan", () => {
    const path = file("mixed.csv", `${rows.join("\n")}\n`)
    const plan = JSON.parse(vmsDry(path, "--json").stdout)
    expect(plan.numbers).toHaveLength(37)
    expect(plan.invalid).toHaveLength(30)
    expect(plan.landlines).toHaveLength(25)
    expect(plan.counts).toEqual({ mobile: 11, landline: 25, other: 1 })
    expect(plan.estimatedMs).toBe(0)
    expect(plan.estimatedCost).toEqual({ EUR: 2.28 })
    expect(plan.rows).toEqual({ read: 67, valid: 37, invalid: 30, duplicates: 0, empty: 0 })
  })

  it("a dry run with nothing valid exits 2, like a real send", () => {
    const path = file("allbad.csv", "telephone\n12\n34\n")
    const r = ttsDry(path)
    expect(r.code).toBe(2)
    expect(r.stdout).toContain("0 valid")
    expect(r.stderr).toContain("no valid recipient")
  })
})
