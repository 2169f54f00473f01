/** The parameter names of a route path: "/users/:id/posts/:postId" gives "id" | "postId". */
export type ParamNames<Path extends string> = Path extends `${string}:${infer Rest}`
  ? Rest extends `${infer Name}/${infer Tail}`
    ? Name | ParamNames<`/${Tail}`>
    : Rest
  : never

/** `ctx.params` for a route path: one string per `:name` segment. */
export type PathParams<Path extends string> = { [Name in ParamNames<Path>]: string }
