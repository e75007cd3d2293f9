// The demo frontend: same-origin static code; talks only to the sign-in service, whose
// origin the demo server writes into <body data-service> (and probes the sandbox's, from
// <body data-sandbox>, to tell whether this browser trusts its certificate).
//
// Views are the <section>s of <main>: show(id) reveals one. A new view is a new section
// plus a function that fills it from `state` (the signed-in session, see loadProfile).
(function () {
  "use strict";

  var EXPLAIN = {
    invalid_request: "The sign-in request was not valid (for example, this page's origin is not on the service's allow-list).",
    login_expired: "The sign-in took too long or its link was already used; please start again.",
    access_denied: "Microsoft or your organisation refused the sign-in, or you declined the requested permissions.",
    provider_not_registered: "The sign-in service refused this sign-in, not Microsoft: your organisation or identity provider is not registered with this service. Ask the application's administrator to register it.",
    cancelled: "You cancelled the sign-in on Microsoft's page.",
    password_reset: "You asked to reset your password; do that, then sign in again.",
    invalid_token: "Your session is no longer valid (signed out, expired or revoked); please sign in again.",
    account_conflict: "An account with this email address already exists, and this sign-in could not prove it owns that address.",
    account_disabled: "This account has been disabled by an administrator.",
    temporarily_unavailable: "Sign-in is temporarily unavailable; please try again in a moment.",
    server_error: "Something went wrong on the sign-in service's side."
  };
  var SIGNED_OUT = {
    yourself: "You signed out: your session is closed and its token no longer works anywhere.",
    service: "The sign-in service closed your session (signed out elsewhere, expired, or an administrator disabled the account)."
  };
  // sessionStorage: this tab only, gone when the tab closes, never sent to any server and
  // unreadable by another origin; the token never sits in the URL or a cookie.
  var TOKEN_KEY = "azure-signin-demo.token";
  var SIGNED_OUT_KEY = "azure-signin-demo.signed-out";
  var body = document.body;
  var service = body.getAttribute("data-service");
  var sandbox = body.getAttribute("data-sandbox");
  var state = { token: null, me: null, uri: null };

  function $(id) { return document.getElementById(id); }

  function show(id) {
    Array.prototype.forEach.call(document.querySelectorAll("main > section"), function (section) {
      section.hidden = section.id !== id;
    });
    $("account").hidden = id !== "profile";
  }

  function text(id, value) {
    $(id).textContent = value == null ? "" : String(value);
  }

  function remember(token) {
    state.token = token;
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token);
      sessionStorage.removeItem(SIGNED_OUT_KEY);
    } else {
      sessionStorage.removeItem(TOKEN_KEY);
    }
  }

  function showError(code) {
    text("error-code", code);
    text("error-text", EXPLAIN[code] || "The sign-in failed for a reason this page does not know.");
    show("error");
  }

  function showSignedOut(reason) {
    remember(null);
    state.me = null;
    sessionStorage.setItem(SIGNED_OUT_KEY, reason);
    text("signed-out-text", SIGNED_OUT[reason] || SIGNED_OUT.yourself);
    show("signed-out");
  }

  function call(base, path, options) {
    return fetch(base + path, Object.assign({ cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" }, options));
  }

  function withToken(path, options) {
    var headers = Object.assign({ Authorization: "Bearer " + state.token }, (options || {}).headers);
    return call(service, path, Object.assign({}, options, { headers: headers }));
  }

  function exchange(code) {
    return call(service, "/auth/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code: code })
    }).then(function (answer) {
      return answer.ok ? answer.json().then(function (reply) { return reply.access_token; }) : null;
    });
  }

  function workspaceOf(uri) {
    var match = /^\/workspace\/(\d+)(\/|$)/.exec(uri || "");
    return match ? Number(match[1]) : null;
  }

  function setAddress(uri) {
    state.uri = uri;
    history.replaceState(null, "", "/redirect-uri" + (uri ? "?uri=" + encodeURIComponent(uri) : ""));
  }

  function renderSwitcher(memberships, current) {
    var switcher = $("workspace-switcher");
    switcher.textContent = "";
    memberships.forEach(function (m) {
      var option = document.createElement("option");
      option.value = String(m.workspaceId);
      option.textContent = m.workspaceName + " (" + m.role + ")";
      option.selected = current === m;
      switcher.appendChild(option);
    });
    switcher.hidden = memberships.length === 0;
  }

  function render(me, uri) {
    var user = me.user || {};
    var memberships = me.memberships || [];
    var wanted = workspaceOf(uri);
    var current = memberships.filter(function (m) { return m.workspaceId === wanted; })[0];
    var notice = "";
    if (!current && memberships.length) {
      if (wanted !== null) {
        notice = "You are not a member of workspace #" + wanted + " (the link " + uri + "); showing " + memberships[0].workspaceName + " instead.";
      }
      current = memberships[0];
    } else if (!current) {
      notice = "You are signed in, but no workspace has given you a role yet" + (wanted !== null ? " (not even workspace #" + wanted + ", the link " + uri + ")" : "") + ".";
    }
    state.me = me;
    text("notice", notice);
    $("notice").hidden = !notice;
    text("header-name", user.displayName);
    text("header-email", user.email);
    text("user-name", user.displayName);
    text("user-email", user.email + (user.emailVerified ? "" : " (unverified)"));
    text("workspace-title", current ? current.workspaceName : "No workspace yet");
    text("workspace", current ? current.workspaceName + " (#" + current.workspaceId + ")" : "none yet");
    text("role", current ? current.role : "-");
    var rows = $("memberships");
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
    renderSwitcher(memberships, current);
    if (current && workspaceOf(uri) !== current.workspaceId) {
      setAddress("/workspace/" + current.workspaceId + "/home");
    }
    show("profile");
  }

  // Every call of the signed-in page asks /me: a session the service closed shows as
  // signed out on the next one.
  function loadProfile(uri) {
    return withToken("/me").then(function (answer) {
      if (answer.status === 401) { return showSignedOut("service"); }
      if (answer.status === 403) { remember(null); return showError("account_disabled"); }
      if (!answer.ok) { return showError(answer.status === 503 ? "temporarily_unavailable" : "server_error"); }
      return answer.json().then(function (me) { render(me, uri); });
    }).catch(function () { showError("temporarily_unavailable"); });
  }

  function switchWorkspace() {
    var id = $("workspace-switcher").value;
    setAddress("/workspace/" + id + "/home");
    loadProfile(state.uri);
  }

  function signOut() {
    if (!state.token) { return showSignedOut("yourself"); }
    withToken("/logout", { method: "POST" })
      .then(function (answer) {
        if (answer.ok || answer.status === 401) { return showSignedOut("yourself"); }
        return showError(answer.status === 503 ? "temporarily_unavailable" : "server_error");
      })
      .catch(function () { showError("temporarily_unavailable"); });
  }

  function arrive() {
    var query = new URLSearchParams(location.search);
    var fragment = new URLSearchParams(location.hash.slice(1));
    var error = query.get("error") || fragment.get("error");
    var uri = query.get("uri");
    var code = query.get("code");
    var delivered = fragment.get("access_token") || query.get("access_token");
    if (error) {
      // The code alone stays in the address (nothing secret), so F5 shows the same message.
      var known = /^[a-z_]{1,40}$/.test(error) ? error : "unknown";
      history.replaceState(null, "", "/redirect-uri?error=" + known);
      return showError(known);
    }
    // Take the token (or code) out of the address bar and the history at once.
    setAddress(uri);
    if (!delivered && !code) {
      state.token = sessionStorage.getItem(TOKEN_KEY);  // a reload: the tab's own session
      if (state.token) { show("working"); return loadProfile(uri); }
      var reason = sessionStorage.getItem(SIGNED_OUT_KEY);
      return reason ? showSignedOut(reason) : show("signin");
    }
    show("working");
    var ready = delivered ? Promise.resolve(delivered) : exchange(code);
    return ready.then(function (value) {
      if (!value) { return showError("login_expired"); }
      remember(value);
      return loadProfile(uri);
    }).catch(function () { showError("temporarily_unavailable"); });
  }

  // Whether this browser trusts the sandbox's certificate: a no-cors probe fails on an
  // untrusted certificate (or a sandbox that does not answer) and says nothing else.
  function probeSandbox() {
    if (!sandbox) { return; }
    text("sandbox-origin", sandbox);
    function verdict(trusted) {
      $("trust-warning").hidden = trusted;
      body.setAttribute("data-sandbox-trusted", trusted ? "yes" : "no");
    }
    call(sandbox, "/_sandbox/health", { mode: "no-cors" }).then(function () { verdict(true); },
      function () { verdict(false); });
  }

  $("signout").addEventListener("click", signOut);
  $("workspace-switcher").addEventListener("change", switchWorkspace);
  if (location.pathname === "/redirect-uri") {
    arrive();
  } else {
    show("signin");
    probeSandbox();
  }
})();
