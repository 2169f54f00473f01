// A client of the sessions example: a browser (its cookie) or an API client
// (its token), against any base URL, so one client can move between app processes.

export interface Credential {
  /** `session=<token>` for a browser, `Bearer <token>` for an API client. */
  readonly cookie?: string
  readonly authorization?: string
}

export async function login(base: string, email: string, rememberMe = false): Promise<Credential> {
  const response = await fetch(`${base}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": `browser of ${email}` },
    body: JSON.stringify({ email, rememberMe }),
  })
  if (response.status !== 200) throw new Error(`login: ${response.status} ${await response.text()}`)
  const setCookie = response.headers.get("set-cookie") ?? ""
  return { cookie: setCookie.split(";")[0] as string }
}

export async function token(base: string, email: string, rememberMe = false): Promise<Credential & { token: string }> {
  const response = await fetch(`${base}/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": `cli of ${email}` },
    body: JSON.stringify({ email, rememberMe }),
  })
  if (response.status !== 200) throw new Error(`token: ${response.status} ${await response.text()}`)
  const { token } = (await response.json()) as { token: string }
  return { token, authorization: `Bearer ${token}` }
}

export function headersOf(credential: Credential, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...(credential.cookie === undefined ? {} : { cookie: credential.cookie }),
    ...(credential.authorization === undefined ? {} : { authorization: credential.authorization }),
    ...extra,
  }
}

export function call(base: string, credential: Credential, method: string, path: string): Promise<Response> {
  return fetch(`${base}${path}`, { method, headers: headersOf(credential) })
}

export async function status(base: string, credential: Credential, path = "/api/profile"): Promise<number> {
  const response = await call(base, credential, "GET", path)
  await response.arrayBuffer()
  return response.status
}
