#!/usr/bin/env node
// Type-checks every TSDoc `@example` of a package's sources: each ```ts block becomes a
// module next to the file it documents (so its relative imports resolve), which imports
// that file's exports by name and is compiled with the package's own compiler options.
// An example must therefore be real code: its free names imported or declared.
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
    else if (path.endsWith(".ts") && !path.endsWith(".d.ts") && !name.startsWith("__example")) files.push(path)
  }
}
walk(root)

const exportedNames = (source) => {
  const names = new Set()
  for (const m of source.matchAll(/^export\s+(?:declare\s+)?(?:const|let|function\*?|class|interface|type|enum|abstract class)\s+([A-Za-z_$][\w$]*)/gm))
    names.add(m[1])
  for (const m of source.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}(?!\s*from)/gm))
    for (const part of m[1].split(",")) {
      const name = part.trim().split(/\s+as\s+/).pop()?.replace(/^type\s+/, "")
      if (name) names.add(name)
    }
  return [...names]
}

const examples = []
for (const file of files) {
  const source = readFileSync(file, "utf8")
  const names = exportedNames(source)
  let index = 0
  for (const comment of source.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const body = comment[1]
    const at = body.indexOf("@example")
    if (at < 0) continue
    for (const block of body.slice(at).matchAll(/```ts\n([\s\S]*?)```/g)) {
      const code = block[1]
        .split("\n")
        .map((line) => line.replace(/^\s*\* ?/, ""))
        .join("\n")
      const line = source.slice(0, comment.index).split("\n").length
      const module = `./${basename(file, ".ts")}.js`
      const own = names.filter((n) => new RegExp(`\\b${n.replace("$", "\\$")}\\b`).test(code))
      const imported = new Set([...code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}/g)].flatMap((m) => m[1].split(",").map((p) => p.trim().split(/\s+as\s+/).pop()?.replace(/^type\s+/, ""))))
      const auto = own.filter((n) => !imported.has(n))
      const header = auto.length > 0 ? `import { ${auto.join(", ")} } from "${module}"\n` : ""
      const path = join(dirname(file), `__example_${basename(file, ".ts")}_${index++}.ts`)
      examples.push({ path, file, line, header })
      // Statements after imports run inside an async function: examples may `await`.
      const imports = code.split("\n").filter((l) => /^import\s/.test(l)).join("\n")
      const rest = code.split("\n").filter((l) => !/^import\s/.test(l)).join("\n")
      writeFileSync(path, `${header}${imports}\nexport {}\nasync function __example() {\n${rest}\n}\nvoid __example\n`)
    }
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
    include: examples.map((e) => e.path),
  }),
)
let failed = 0
try {
  const tsc = spawnSync("pnpm", ["exec", "tsc", "-p", config], { encoding: "utf8" })
  const output = `${tsc.stdout}${tsc.stderr}`
  for (const example of examples) {
    const mine = output
      .split("\n")
      .filter((l) => l.startsWith(relative(".", example.path)))
      .map((l) => l.slice(relative(".", example.path).length))
    if (mine.length > 0) {
      failed++
      console.log(`${example.file}:${example.line}: @example does not type-check`)
      for (const l of mine.slice(0, 3)) console.log(`    ${l}`)
    }
  }
  console.log(`${examples.length - failed} passed, ${failed} failed: TSDoc examples of ${root}`)
} finally {
  for (const example of examples) rmSync(example.path, { force: true })
  rmSync(config, { force: true })
}
process.exit(failed > 0 ? 1 : 0)
