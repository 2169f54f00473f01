// The inspector page: one HTML document with its style and script inline,
// nothing loaded from elsewhere (the CSP forbids it). It holds no user data:
// the script fetches keys and values as JSON and puts them in the page with
// textContent only, never as HTML, so a key like `<img src=x onerror=...>`
// shows as text.
import { randomBytes } from "node:crypto"
import { PAGE_SCRIPT } from "./page-script.js"
import { PAGE_STYLE } from "./page-style.js"

export function inspectorPage(token: string): { body: string; nonce: string } {
  const nonce = randomBytes(16).toString("base64")
  // The token is hex and the nonce base64: neither can break out of an attribute.
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="layeron-inspector-token" content="${token}">
<title>Layeron inspector</title>
<style nonce="${nonce}">${PAGE_STYLE}</style>
</head>
<body>
<header>
  <h1>Layeron inspector</h1>
  <span class="muted">local only: the app's stores as <code>layeron dev</code> runs them</span>
  <span id="status" role="status" aria-live="polite"></span>
</header>
<div id="error" class="error" role="alert" hidden></div>
<main>
  <nav aria-label="Stores">
    <h2>Stores</h2>
    <ul id="store-list"></ul>
    <p id="no-stores" class="muted" hidden>The app declares no stores: add one with <code>app.use(storage.kv({ name }))</code>.</p>
  </nav>
  <section id="keys-pane" aria-label="Keys" hidden>
    <h2 id="store-title"></h2>
    <p id="store-details" class="muted"></p>
    <div class="filter" role="search">
      <label for="prefix">Prefix</label>
      <input id="prefix" autocomplete="off" spellcheck="false" placeholder="e.g. session:">
      <button id="apply-prefix" type="button">Filter</button>
      <button id="refresh" type="button" title="Reload this page of keys">Refresh</button>
    </div>
    <table id="keys">
      <thead><tr><th>Key</th><th>Expires in</th><th>Metadata</th></tr></thead>
      <tbody></tbody>
    </table>
    <p id="no-keys" class="muted" hidden>No keys here.</p>
    <div class="pager">
      <button id="prev" type="button">&larr; Previous</button>
      <span id="page-info" class="muted"></span>
      <button id="next" type="button">Next &rarr;</button>
    </div>
  </section>
  <section id="entry-pane" aria-label="Entry" hidden>
    <h2>Entry</h2>
    <dl>
      <dt>Key</dt><dd id="entry-key" class="mono"></dd>
      <dt>Content type</dt><dd id="entry-type" class="mono"></dd>
      <dt>Size</dt><dd id="entry-size"></dd>
      <dt>Expires in</dt><dd id="entry-ttl"></dd>
      <dt>Expires at</dt><dd id="entry-expires"></dd>
    </dl>
    <h3>Metadata</h3>
    <pre id="entry-metadata"></pre>
    <h3>Value</h3>
    <p id="entry-note" class="muted" hidden></p>
    <pre id="entry-value"></pre>
    <button id="delete" type="button" class="danger">Delete&hellip;</button>
  </section>
</main>
<dialog id="confirm" aria-labelledby="confirm-text">
  <p id="confirm-text">Delete <code id="confirm-key"></code> from <code id="confirm-store"></code>? This cannot be undone.</p>
  <div class="actions">
    <button id="confirm-cancel" type="button">Cancel</button>
    <button id="confirm-delete" type="button" class="danger">Delete</button>
  </div>
</dialog>
<script nonce="${nonce}">${PAGE_SCRIPT}</script>
</body>
</html>
`
  return { body, nonce }
}
