// The demo frontend: same-origin static code; talks only to the sign-in service, whose
// origin the demo server writes into <body data-service>.
(function () {
  "use strict";

  var EXPLAIN = {
    invalid_request: "The sign-in request was not valid (for example, this page's origin is not on the service's allow-list).",
    login_expired: "The sign-in took too long or its link was already used; please start again.",
    access_denied: "Microsoft or your organisation refused the sign-in, or you declined the requested permissions.",
    cancelled: "You cancelled the sign-in on Microsoft's page.",
    password_reset: "You asked to reset your password; do that, then sign in again.",
    invalid_token: "Your session is no longer valid (signed out, expired or revoked); please sign in again.",
    account_conflict: "An account with this email address already exists, and this sign-in could not prove it owns that address.",
    account_disabled: "This account has been disabled by an administrator.",
    temporarily_unavailable: "Sign-in is temporarily unavailable; please try again in a moment.",
    server_error: "Something went wrong on the sign-in service's side."
  };
  var SECTIONS = ["signin", "working", "profile", "error", "signed-out"];
  var service = document.body.getAttribute("data-service");
  var token = null; // kept in memory only: a reload signs the page out, not the session

  function show(id) {
    SECTIONS.forEach(function (name) {
      document.getElementById(name).hidden = name !== id;
    });
  }

  function text(id, value) {
    document.getElementById(id).textContent = value == null ? "" : String(value);
  }

  function showError(code) {
    text("error-code", code);
    text("error-text", EXPLAIN[code] || "The sign-in failed for a reason this page does not know.");
    show("error");
  }

  function call(path, options) {
    return fetch(service + path, Object.assign({ cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" }, options));
  }

  function exchange(code) {
    return call("/auth/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code: code })
    }).then(function (answer) {
      return answer.ok ? answer.json().then(function (body) { return body.access_token; }) : null;
    });
  }

  function workspaceOf(uri) {
    var match = /^\/workspace\/(\d+)(\/|$)/.exec(uri || "");
    return match ? Number(match[1]) : null;
  }

  function render(me, uri) {
    var user = me.user || {};
    var memberships = me.memberships || [];
    var landing = workspaceOf(uri);
    var current = memberships.filter(function (m) { return m.workspaceId === landing; })[0];
    text("user-name", user.displayName);
    text("user-email", user.email + (user.emailVerified ? "" : " (unverified)"));
    text("workspace", current ? current.workspaceName + " (#" + current.workspaceId + ")" : "none yet (" + (uri || "/no-workspace") + ")");
    text("role", current ? current.role : "-");
    var rows = document.getElementById("memberships");
    rows.textContent = "";
    memberships.forEach(function (m) {
      var row = document.createElement("tr");
      [m.workspaceId, m.workspaceName, m.role].forEach(function (value) {
        var cell = document.createElement("td");
        cell.textContent = String(value);
        row.appendChild(cell);
      });
      rows.appendChild(row);
    });
    show("profile");
  }

  function loadProfile(uri) {
    return call("/me", { headers: { Authorization: "Bearer " + token } }).then(function (answer) {
      if (answer.status === 401) { token = null; return showError("invalid_token"); }
      if (answer.status === 403) { token = null; return showError("account_disabled"); }
      if (!answer.ok) { return showError(answer.status === 503 ? "temporarily_unavailable" : "server_error"); }
      return answer.json().then(function (me) { render(me, uri); });
    });
  }

  function signOut() {
    if (!token) { return show("signed-out"); }
    call("/logout", { method: "POST", headers: { Authorization: "Bearer " + token } })
      .then(function () { token = null; show("signed-out"); })
      .catch(function () { showError("temporarily_unavailable"); });
  }

  function arrive() {
    var query = new URLSearchParams(location.search);
    var fragment = new URLSearchParams(location.hash.slice(1));
    var error = query.get("error") || fragment.get("error");
    var uri = query.get("uri");
    var code = query.get("code");
    token = fragment.get("access_token") || query.get("access_token");
    // Take the token (or code) out of the address bar and the history at once.
    history.replaceState(null, "", "/redirect-uri" + (uri ? "?uri=" + encodeURIComponent(uri) : ""));
    if (error) { return showError(error); }
    show("working");
    var ready = token ? Promise.resolve(token) : (code ? exchange(code) : Promise.resolve(null));
    ready.then(function (value) {
      token = value;
      if (!token) { return showError(code ? "login_expired" : "invalid_request"); }
      return loadProfile(uri);
    }).catch(function () { showError("temporarily_unavailable"); });
  }

  document.getElementById("signout").addEventListener("click", signOut);
  if (location.pathname === "/redirect-uri") { arrive(); } else { show("signin"); }
})();
