// Property-based tests of routing: random route tables and request paths,
// checked against a plain model of what should match (first registered
// pattern that has the method wins; a path known under other methods is 405,
// an unknown path 404). Short runs here; `npm run fuzz` sets FUZZ_RUNS.
import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { backend, HttpError } from "@layeron/core"
import fc from "fast-check"

const RUNS = Number(process.env.FUZZ_RUNS) || 100
const ROUTE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "ALL"] as const
const REQUEST_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const
const ALLOW_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

type Segment = { kind: "static"; text: string } | { kind: "param" }
interface Pattern {
  segments: Segment[]
  wildcard: boolean
}
interface Route {
  pattern: Pattern
  method: (typeof ROUTE_METHODS)[number]
}

// A tiny alphabet, so that patterns overlap and paths hit them often.
const segmentArbitrary: fc.Arbitrary<Segment> = fc.oneof(
  fc.record({ kind: fc.constant("static" as const), text: fc.stringMatching(/^[ab]{1,2}$/) }),
  fc.constant({ kind: "param" as const }),
)
const patternArbitrary: fc.Arbitrary<Pattern> = fc.record({
  segments: fc.array(segmentArbitrary, { maxLength: 3 }),
  wildcard: fc.boolean(),
})

function patternPath(pattern: Pattern): string {
  let param = 0
  const parts = pattern.segments.map((segment) => (segment.kind === "static" ? segment.text : `:p${param++}`))
  if (pattern.wildcard) parts.push("*")
  return `/${parts.join("/")}`
}

const routesArbitrary = fc.uniqueArray(
  fc.record({ pattern: patternArbitrary, method: fc.constantFrom(...ROUTE_METHODS) }),
  { minLength: 1, maxLength: 8, selector: (route) => `${route.method} ${patternPath(route.pattern)}` },
)

// Parameter values: plain, percent-encoded (valid and malformed), and characters the URL parser escapes.
const paramValueArbitrary = fc.oneof(
  fc.stringMatching(/^[abx]{1,3}$/),
  fc.constantFrom("%2F", "%25", "%zz", "%", "%E0%A4%A", "%C3%A4", "a%20b", "é", "😀", "a b", "%00", ".x"),
)
const tailArbitrary = fc.constantFrom("", "/", "/a", "/a/b", "//", "/%zz", "/é")

/** A path built from one of the routes (so matches are common), or from random characters. */
function pathArbitrary(routes: Route[]): fc.Arbitrary<string> {
  const fromRoute = fc
    .tuple(
      fc.constantFrom(...routes.map((route) => route.pattern)),
      fc.array(paramValueArbitrary, { minLength: 3, maxLength: 3 }),
      tailArbitrary,
    )
    .map(([pattern, values, tail]) => {
      const parts = pattern.segments.map((segment, index) =>
        segment.kind === "static" ? segment.text : (values[index] as string),
      )
      return `/${parts.join("/")}${pattern.wildcard ? tail : ""}`
    })
  const random = fc
    .string({ unit: fc.constantFrom("a", "b", "/", "%", "2", "F", "z", "?", "#", ".", " ", "é", "\\"), maxLength: 12 })
    .map((text) => `/${text}`)
  return fc.oneof(fromRoute, random)
}

type Expected =
  | { status: 200; route: number; params: Record<string, string> }
  | { status: 400 }
  | { status: 404 }
  | { status: 405; allow: string }

/** What the model says: the first registered pattern whose path matches and that has the method. */
function expected(routes: Route[], method: string, path: string): Expected {
  const matching: { params: string[] | null; methods: Map<string, number> }[] = []
  const byPath = new Map<string, { pattern: Pattern; methods: Map<string, number> }>()
  routes.forEach((route, index) => {
    const key = patternPath(route.pattern)
    let entry = byPath.get(key)
    if (entry === undefined) {
      entry = { pattern: route.pattern, methods: new Map() }
      byPath.set(key, entry)
    }
    entry.methods.set(route.method, index)
  })
  // Patterns in the order they were first registered, as the router keeps them.
  for (const { pattern, methods } of byPath.values()) {
    const params = matchPattern(pattern, path)
    if (params !== undefined) matching.push({ params, methods })
  }
  if (matching.length === 0) return { status: 404 }
  for (const { params, methods } of matching) {
    const route = methods.get(method) ?? methods.get("ALL") ?? (method === "HEAD" ? methods.get("GET") : undefined)
    if (route === undefined) continue
    const decoded: Record<string, string> = {}
    for (const [index, raw] of (params ?? []).entries()) {
      try {
        decoded[`p${index}`] = raw.includes("%") ? decodeURIComponent(raw) : raw
      } catch {
        return { status: 400 }
      }
    }
    return { status: 200, route, params: decoded }
  }
  const allowed = new Set<string>()
  for (const { methods } of matching) {
    for (const name of methods.keys()) {
      if (name === "ALL") for (const any of ALLOW_ORDER) allowed.add(any)
      allowed.add(name)
      if (name === "GET") allowed.add("HEAD")
    }
  }
  return { status: 405, allow: ALLOW_ORDER.filter((name) => allowed.has(name)).join(", ") }
}

/** The raw parameter values when `path` matches, else undefined. */
function matchPattern(pattern: Pattern, path: string): string[] | undefined {
  const parts = path.slice(1).split("/")
  const fixed = pattern.segments.length
  if (fixed === 0) {
    if (pattern.wildcard) return []
    return path === "/" ? [] : undefined
  }
  if (pattern.wildcard ? parts.length < fixed : parts.length !== fixed) return undefined
  const params: string[] = []
  for (const [index, segment] of pattern.segments.entries()) {
    const part = parts[index] as string
    if (segment.kind === "static" ? part !== segment.text : part === "") return undefined
    if (segment.kind === "param") params.push(part)
  }
  return params
}

/**
 * HTTP clients never send a fragment, so requests here carry none.
 * (`pathOf` in src/url-path.ts does not cut one: `new Request("http://x/a#b").url` keeps "#b".)
 */
function withoutFragment(text: string): URL {
  const url = new URL(text)
  url.hash = ""
  return url
}

function appFor(routes: Route[], errors: unknown[]) {
  const app = backend({
    logger: { info() {}, error() {} },
    onError: (error) => {
      errors.push(error)
      return undefined
    },
  })
  routes.forEach((route, index) => {
    const path = patternPath(route.pattern)
    const handler = (_request: Request, ctx: { params: Record<string, string> }) =>
      Response.json({ route: index, params: ctx.params })
    if (route.method === "ALL") app.all(path, handler)
    else app[route.method.toLowerCase() as "get"](path, handler)
  })
  return app
}

describe("router fuzz", () => {
  it(`matches a model of the route table (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        routesArbitrary.chain((routes) =>
          fc.tuple(
            fc.constant(routes),
            fc.array(fc.tuple(fc.constantFrom(...REQUEST_METHODS), pathArbitrary(routes)), {
              minLength: 1,
              maxLength: 10,
            }),
          ),
        ),
        async ([routes, requests]) => {
          const errors: unknown[] = []
          const app = appFor(routes, errors)
          for (const [method, rawPath] of requests) {
            const url = withoutFragment(`http://localhost${rawPath}`)
            const want = expected(routes, method, url.pathname)
            const response = await app.fetch(new Request(url, { method }))
            const label = `${method} ${url.pathname} on ${routes.map((r) => `${r.method} ${patternPath(r.pattern)}`).join(", ")}`
            assert.equal(response.status, want.status, label)
            if (want.status === 200 && method !== "HEAD") {
              assert.deepEqual(await response.json(), { route: want.route, params: want.params }, label)
            }
            if (want.status === 405) assert.equal(response.headers.get("allow"), want.allow, label)
          }
          // Only malformed percent-encoding in a matched parameter is an error, and it is a 400.
          for (const error of errors) {
            assert.ok(error instanceof HttpError && error.status === 400, `unexpected error: ${String(error)}`)
          }
        },
      ),
      { numRuns: RUNS },
    )
  })

  it(`never fails with anything but a 400 on arbitrary paths (${RUNS * 5} runs)`, async () => {
    const errors: unknown[] = []
    const app = appFor(
      [
        { method: "GET", pattern: { segments: [{ kind: "static", text: "a" }, { kind: "param" }], wildcard: false } },
        { method: "POST", pattern: { segments: [{ kind: "param" }, { kind: "param" }], wildcard: true } },
        { method: "ALL", pattern: { segments: [{ kind: "static", text: "b" }], wildcard: true } },
      ],
      errors,
    )
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...REQUEST_METHODS),
        fc.string({ unit: "binary", maxLength: 40 }),
        async (method, text) => {
          const url = withoutFragment(`http://localhost/${text}`)
          const response = await app.fetch(new Request(url, { method }))
          assert.ok([200, 400, 404, 405].includes(response.status), `${method} ${url.pathname}: ${response.status}`)
        },
      ),
      { numRuns: RUNS * 5 },
    )
    for (const error of errors) {
      assert.ok(error instanceof HttpError && error.status === 400, `unexpected error: ${String(error)}`)
    }
  })
})
