/**
 * The page's script (inline in page.ts), plain ES2020 for any current
 * browser. User data (store names, keys, metadata, values, error messages)
 * reaches the DOM only through textContent.
 */
export const PAGE_SCRIPT = String.raw`
"use strict";
(function () {
  var PAGE_SIZE = 50;
  var token = document.querySelector('meta[name="layeron-inspector-token"]').content;
  var $ = function (id) { return document.getElementById(id); };
  var state = { stores: [], store: null, prefix: "", cursor: null, previous: [], next: null, key: null, keyRows: [] };
  var clockOffset = 0; // the server's clock minus this browser's, from the last answer

  // Characters that would hide or disguise text (controls, zero-width, bidi overrides) are shown as escapes.
  var HIDDEN = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
  // In a value (keepLines), line feeds and tabs stay as they are.
  function visible(text, keepLines) {
    var fragment = document.createDocumentFragment();
    var last = 0;
    HIDDEN.lastIndex = 0;
    for (var match = HIDDEN.exec(text); match !== null; match = HIDDEN.exec(text)) {
      if (keepLines && (match[0] === "\n" || match[0] === "\t")) continue;
      if (match.index > last) fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
      var escape = document.createElement("span");
      escape.className = "esc";
      escape.textContent = "\\u" + match[0].charCodeAt(0).toString(16).padStart(4, "0");
      fragment.appendChild(escape);
      last = match.index + 1;
    }
    if (last < text.length) fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }
  function show(element, text, keepLines) { element.replaceChildren(visible(text, keepLines)); }

  function setStatus(text) { $("status").textContent = text; }
  function setError(text) {
    $("error").textContent = text || "";
    $("error").hidden = !text;
  }

  async function refreshToken() {
    // Read as text: parsing the page as a document would apply its style under another nonce.
    var response = await fetch("/_layeron/", { cache: "no-store" });
    var found = /name="layeron-inspector-token" content="([0-9a-f]+)"/.exec(await response.text());
    if (found) token = found[1];
  }

  async function api(method, path, params, retried) {
    var query = new URLSearchParams(params || {}).toString();
    var response;
    try {
      response = await fetch("/_layeron/api/" + path + (query ? "?" + query : ""), {
        method: method, cache: "no-store", headers: { "X-Layeron-Inspector": token },
      });
    } catch (error) {
      throw new Error("The app does not answer (is it restarting?): " + error.message);
    }
    var body = await response.json().catch(function () { return { error: "Unexpected answer: HTTP " + response.status }; });
    // The app restarted with a new token: take it from a fresh copy of the page, once.
    if (response.status === 403 && body.code === "INSPECTOR_TOKEN" && !retried) {
      await refreshToken();
      return api(method, path, params, true);
    }
    if (!response.ok) {
      var failure = new Error(body.error || "HTTP " + response.status);
      failure.status = response.status;
      throw failure;
    }
    if (typeof body.now === "number") clockOffset = body.now - Date.now();
    return body;
  }

  function remaining(expiresAt) {
    var ms = expiresAt - (Date.now() + clockOffset);
    if (ms <= 0) return null;
    var seconds = Math.ceil(ms / 1000);
    var days = Math.floor(seconds / 86400), hours = Math.floor(seconds % 86400 / 3600);
    var minutes = Math.floor(seconds % 3600 / 60), rest = seconds % 60;
    if (days > 0) return days + "d " + hours + "h " + minutes + "m " + rest + "s";
    if (hours > 0) return hours + "h " + minutes + "m " + rest + "s";
    if (minutes > 0) return minutes + "m " + rest + "s";
    return rest + "s";
  }
  function ttlCell(element, expiresAt) {
    if (expiresAt === null) {
      element.textContent = "never";
      element.classList.add("muted");
      delete element.dataset.expiresAt;
      return;
    }
    element.dataset.expiresAt = String(expiresAt);
    tick(element);
  }
  function tick(element) {
    var left = remaining(Number(element.dataset.expiresAt));
    element.textContent = left === null ? "expired" : left;
    element.classList.toggle("expired", left === null);
  }
  setInterval(function () { document.querySelectorAll("[data-expires-at]").forEach(tick); }, 1000);

  function summary(metadata) {
    if (metadata === null || metadata === undefined) return "";
    var text = JSON.stringify(metadata);
    return text.length > 120 ? text.slice(0, 119) + "\u2026" : text;
  }

  async function loadStores() {
    var body = await api("GET", "stores");
    state.stores = body.stores;
    var list = $("store-list");
    list.replaceChildren();
    body.stores.forEach(function (store) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.appendChild(visible(store.label));
      var details = document.createElement("small");
      details.textContent = store.details.join(" \u00b7 ");
      button.appendChild(details);
      button.addEventListener("click", function () { openStore(store.id, ""); });
      button.dataset.storeId = store.id;
      button.setAttribute("aria-current", String(state.store !== null && state.store.id === store.id));
      item.appendChild(button);
      list.appendChild(item);
    });
    $("no-stores").hidden = body.stores.length > 0;
  }

  function openStore(id, prefix) {
    var store = state.stores.find(function (candidate) { return candidate.id === id; });
    if (!store) return;
    state.store = store;
    state.prefix = prefix;
    state.cursor = null;
    state.previous = [];
    document.querySelectorAll("nav li button").forEach(function (button) {
      button.setAttribute("aria-current", String(button.dataset.storeId === id));
    });
    show($("store-title"), store.label);
    $("store-details").textContent = store.details.join(" \u00b7 ");
    $("prefix").value = prefix;
    $("keys-pane").hidden = false;
    closeEntry();
    history.replaceState(null, "", "#" + new URLSearchParams({ store: id, prefix: prefix }).toString());
    return loadKeys();
  }

  async function loadKeys() {
    var store = state.store;
    var params = { store: store.id, prefix: state.prefix, limit: String(PAGE_SIZE) };
    if (state.cursor) params.cursor = state.cursor;
    setError("");
    var body;
    try {
      body = await api("GET", "keys", params);
    } catch (error) {
      setError(error.message);
      return;
    }
    if (state.store !== store) return;
    state.next = body.complete ? null : body.cursor;
    var rows = $("keys").tBodies[0];
    rows.replaceChildren();
    state.keyRows = [];
    body.keys.forEach(function (key) {
      var row = document.createElement("tr");
      var name = document.createElement("td");
      name.className = "key";
      var open = document.createElement("button");
      open.type = "button";
      open.appendChild(visible(key.name));
      open.addEventListener("click", function () { openEntry(key.name); });
      name.appendChild(open);
      var ttl = document.createElement("td");
      ttl.className = "ttl";
      ttlCell(ttl, key.expiresAt);
      var meta = document.createElement("td");
      meta.className = "meta";
      meta.appendChild(visible(summary(key.metadata)));
      row.append(name, ttl, meta);
      rows.appendChild(row);
      state.keyRows.push({ name: key.name, row: row });
    });
    markSelected();
    $("no-keys").hidden = body.keys.length > 0;
    $("prev").disabled = state.previous.length === 0;
    $("next").disabled = state.next === null;
    $("page-info").textContent = "page " + (state.previous.length + 1) + ", " + body.keys.length + " key" + (body.keys.length === 1 ? "" : "s");
  }

  function markSelected() {
    state.keyRows.forEach(function (entry) { entry.row.setAttribute("aria-selected", String(entry.name === state.key)); });
  }

  async function openEntry(key) {
    var store = state.store;
    setError("");
    var body;
    try {
      body = await api("GET", "entry", { store: store.id, key: key });
    } catch (error) {
      setError(error.message);
      return;
    }
    if (state.store !== store) return;
    state.key = key;
    markSelected();
    show($("entry-key"), body.key);
    show($("entry-type"), body.contentType);
    $("entry-size").textContent = body.size.toLocaleString("en") + " byte" + (body.size === 1 ? "" : "s");
    ttlCell($("entry-ttl"), body.expiresAt);
    $("entry-expires").textContent = body.expiresAt === null ? "never" : new Date(body.expiresAt).toISOString();
    $("entry-metadata").textContent = body.metadata === null ? "none" : JSON.stringify(body.metadata, null, 2);
    var value = body.value;
    var notes = [];
    if (value.kind === "json") notes.push("JSON, pretty-printed");
    if (value.kind === "binary") notes.push("binary: " + body.size.toLocaleString("en") + " bytes, shown as hex");
    if (value.note) notes.push(value.note);
    if (value.truncated) notes.push("only the start is shown");
    $("entry-note").textContent = notes.join("; ");
    $("entry-note").hidden = notes.length === 0;
    if (value.kind === "binary") $("entry-value").textContent = value.hex;
    else show($("entry-value"), value.text, true);
    $("entry-pane").hidden = false;
  }

  function closeEntry() {
    state.key = null;
    $("entry-pane").hidden = true;
    $("entry-ttl").replaceChildren();
    delete $("entry-ttl").dataset.expiresAt;
    markSelected();
  }

  $("apply-prefix").addEventListener("click", function () { openStore(state.store.id, $("prefix").value); });
  $("prefix").addEventListener("keydown", function (event) {
    if (event.key === "Enter") openStore(state.store.id, $("prefix").value);
  });
  // A save may have added or removed stores: Refresh reads the list again too.
  $("refresh").addEventListener("click", async function () {
    try {
      await loadStores();
    } catch (error) {
      setError(error.message);
      return;
    }
    await loadKeys();
  });
  $("next").addEventListener("click", function () {
    if (state.next === null) return;
    state.previous.push(state.cursor);
    state.cursor = state.next;
    loadKeys();
  });
  $("prev").addEventListener("click", function () {
    if (state.previous.length === 0) return;
    state.cursor = state.previous.pop();
    loadKeys();
  });

  $("delete").addEventListener("click", function () {
    show($("confirm-key"), state.key);
    show($("confirm-store"), state.store.label);
    $("confirm").showModal();
  });
  $("confirm-cancel").addEventListener("click", function () { $("confirm").close(); });
  $("confirm-delete").addEventListener("click", async function () {
    $("confirm").close();
    var key = state.key;
    try {
      await api("DELETE", "entry", { store: state.store.id, key: key });
    } catch (error) {
      setError(error.message);
      return;
    }
    closeEntry();
    setStatus("Deleted " + key);
    await loadKeys();
  });

  (async function start() {
    try {
      await loadStores();
    } catch (error) {
      setError(error.message);
      return;
    }
    var wanted = new URLSearchParams(location.hash.slice(1));
    var first = state.stores.find(function (store) { return store.id === wanted.get("store"); }) || state.stores[0];
    if (first) await openStore(first.id, first.id === wanted.get("store") ? wanted.get("prefix") || "" : "");
  })();
})();
`
