// A small app beside the docs' example, which has only a JSON login: a route
// for every way of reading a body, on `app.post`, `put`, `patch`, `delete`,
// `options` and `app.all()` routes. The hostile-HTTP suite serves it over a
// real socket with the default body limit; the Workers test builds
// body-routes-worker.ts.
import { backend } from "@layeron/core"
import { addBodyReaderRoutes } from "@layeron/test-support/body-readers"

export function bodyRoutesApp(bodyLimit?: number) {
  const app = backend({ bodyLimit, logger: { info() {}, error() {} } })
  addBodyReaderRoutes(app)
  return app
}
