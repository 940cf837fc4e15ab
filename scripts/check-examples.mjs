#!/usr/bin/env node
// Type-checks every TSDoc `@example` of a package's sources: each ```ts block becomes a
// module next to the file it documents (so its relative imports resolve), which imports
// that file's exports by name and is compiled with the package's own compiler options.
// An example must therefore be real code: its free names imported or declared. Its imports
// and `declare` lines (`declare const env: Env`) stay at module level; its other statements
// run inside an async function that is never called, so they may `await` and do no I/O.
// A failure is reported at its line and column in the documented file.
// Usage: node ../../scripts/check-examples.mjs [src]   (from a package directory)
import { spawnSync } from "node:child_process"
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { basename, dirname, join, relative } from "node:path"

const root = process.argv[2] ?? "src"
const files = []
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path)
    else if (path.endsWith(".ts") && !path.endsWith(".d.ts") && !name.startsWith("__example"))
      files.push(path)
  }
}
walk(root)

const exportedNames = (source) => {
  const names = new Set()
  for (const m of source.matchAll(
    /^export\s+(?:declare\s+)?(?:async\s+)?(?:const|let|function\*?|class|interface|type|enum|abstract class)\s+([A-Za-z_$][\w$]*)/gm,
  ))
    names.add(m[1])
  for (const m of source.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}(?!\s*from)/gm))
    for (const part of m[1].split(",")) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()
        ?.replace(/^type\s+/, "")
      if (name) names.add(name)
    }
  return [...names]
}

// Splits an example into its module-level statements (imports, `declare`s), hoisted out
// of the wrapper, and its body; each kept line remembers its index in the block. A statement
// runs on over the next lines until its brackets balance, so multi-line imports work.
const hoist = (lines) => {
  const top = []
  const body = []
  let depth = 0
  let open = false
  lines.forEach((text, i) => {
    if (!open && !/^(?:import|declare)\s/.test(text)) {
      body.push({ text, i })
      return
    }
    top.push({ text, i })
    for (const ch of text.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, "")) {
      if ("{([".includes(ch)) depth++
      else if ("})]".includes(ch)) depth--
    }
    open = depth > 0
  })
  return { top, body }
}
const declaredNames = (lines) =>
  lines
    .flatMap(({ text }) => [
      ...text.matchAll(
        /^declare\s+(?:const|let|var|function|class|enum|namespace)\s+([A-Za-z_$][\w$]*)/g,
      ),
    ])
    .map((m) => m[1])

const examples = []
for (const file of files) {
  const source = readFileSync(file, "utf8")
  const names = exportedNames(source)
  const lineAt = (offset) => source.slice(0, offset).split("\n").length
  let index = 0
  for (const comment of source.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const body = comment[1]
    const at = body.indexOf("@example")
    if (at < 0) continue
    for (const block of body.slice(at).matchAll(/```ts\n([\s\S]*?)```/g)) {
      // Source line of the block's first code line, and each line's stripped ` * ` prefix.
      const first = lineAt(comment.index + 3 + at + block.index) + 1
      const raw = block[1].split("\n")
      const prefixes = raw.map((line) => line.match(/^\s*\* ?/)?.[0].length ?? 0)
      const code = raw.map((line, i) => line.slice(prefixes[i]))
      const text = code.join("\n")
      const line = lineAt(comment.index)
      const module = `./${basename(file, ".ts")}.js`
      const { top, body: rest } = hoist(code)
      const declared = new Set(declaredNames(top))
      const own = names.filter((n) => new RegExp(`\\b${n.replace("$", "\\$")}\\b`).test(text))
      const imported = new Set(
        [...text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}/g)].flatMap((m) =>
          m[1].split(",").map((p) =>
            p
              .trim()
              .split(/\s+as\s+/)
              .pop()
              ?.replace(/^type\s+/, ""),
          ),
        ),
      )
      const auto = own.filter((n) => !imported.has(n) && !declared.has(n))
      const header = auto.length > 0 ? [`import { ${auto.join(", ")} } from "${module}"`] : []
      // Statements after the imports and declarations run inside an async function: examples
      // may `await`. `origin[k]` is the block line of generated line k + 1 (null: scaffolding).
      const generated = [
        ...header.map((text) => ({ text, i: null })),
        ...top,
        { text: "export {}", i: null },
        { text: "async function __example() {", i: null },
        ...rest,
        { text: "}", i: null },
        { text: "void __example", i: null },
      ]
      const path = join(dirname(file), `__example_${basename(file, ".ts")}_${index++}.ts`)
      const origin = generated.map((g) => g.i)
      examples.push({ path, file, line, first, prefixes, origin })
      writeFileSync(path, `${generated.map((g) => g.text).join("\n")}\n`)
    }
  }
}

/** The `.d.ts` files the package's tsconfig includes by name. */
const declarationFiles = () => {
  try {
    const { include = [] } = JSON.parse(readFileSync("tsconfig.json", "utf8"))
    return include.filter((entry) => entry.endsWith(".d.ts"))
  } catch {
    return []
  }
}

const config = "tsconfig.examples.json"
writeFileSync(
  config,
  JSON.stringify({
    extends: "./tsconfig.json",
    compilerOptions: {
      noEmit: true,
      noUnusedLocals: false,
      noUnusedParameters: false,
      verbatimModuleSyntax: false,
    },
    // The package's own declaration files (e.g. wrangler's generated `Env`) stay in.
    include: [...examples.map((e) => e.path), ...declarationFiles()],
  }),
)
let failed = 0
try {
  // No example, nothing to compile (tsc would complain that it has no inputs).
  const tsc =
    examples.length === 0
      ? { stdout: "", stderr: "", status: 0 }
      : spawnSync("pnpm", ["exec", "tsc", "-p", config], { encoding: "utf8" })
  const output = `${tsc.stdout ?? ""}${tsc.stderr ?? ""}`
  if (tsc.error || tsc.status === null) {
    console.error(`check-examples: could not run tsc: ${tsc.error?.message ?? tsc.signal}`)
    process.exit(2)
  }
  const lines = output.split("\n")
  const claimed = new Set()
  for (const example of examples) {
    const name = relative(".", example.path)
    const mine = []
    lines.forEach((l, n) => {
      const m = l.startsWith(name) ? /^\((\d+),(\d+)\): (.*)$/.exec(l.slice(name.length)) : null
      if (!m) return
      claimed.add(n)
      // Point at the line and column in the documented file, not in the temporary module.
      const i = example.origin[Number(m[1]) - 1]
      const where =
        i === null || i === undefined
          ? `(generated line ${m[1]})`
          : `${example.first + i}:${Number(m[2]) + example.prefixes[i]}`
      mine.push(`${example.file}:${where}: ${m[3]}`)
    })
    if (mine.length > 0) {
      failed++
      console.log(`${example.file}:${example.line}: @example does not type-check`)
      for (const l of mine.slice(0, 3)) console.log(`    ${l}`)
      if (mine.length > 3) console.log(`    … and ${mine.length - 3} more`)
    }
  }
  // Errors outside the examples (in the files they import) fail the package's own
  // typecheck; show them, since they may hide an example's.
  const others = lines.filter((l, n) => !claimed.has(n) && /error TS\d+/.test(l))
  if (others.length > 0) {
    console.log(`tsc reported ${others.length} error(s) outside the examples:`)
    for (const l of others.slice(0, 5)) console.log(`    ${l}`)
  }
  console.log(`${examples.length - failed} passed, ${failed} failed: TSDoc examples of ${root}`)
} finally {
  for (const example of examples) rmSync(example.path, { force: true })
  rmSync(config, { force: true })
}
process.exit(failed > 0 ? 1 : 0)
