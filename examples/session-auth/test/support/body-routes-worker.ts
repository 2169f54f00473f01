// The body-readers fixture as a Worker entry, with a 64 KiB limit: a client
// that is still uploading when workerd answers 413 gets a reset instead of the
// answer once its body outgrows the socket buffers, as a 1 MiB one does.
import { bodyRoutesApp } from "./body-routes.ts"

export const WORKER_BODY_LIMIT = 64 * 1024

bodyRoutesApp(WORKER_BODY_LIMIT)
