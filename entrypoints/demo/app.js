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
    server_error: "Something went wrong on the sign-in service's side.",
    invite_invalid: "This invite link is not valid (it may have been mistyped or cut short).",
    invite_used: "This invite link was used already: it works once.",
    invite_revoked: "This invite was revoked by the workspace.",
    invite_expired: "This invite link has expired; ask for a new one.",
    email_unverified: "This invite needs an account whose email address is verified.",
    email_mismatch: "This invite is for another email address than the one you signed in with."
  };
  var SIGNED_OUT = {
    yourself: "You signed out: your session is closed and its token no longer works anywhere.",
    service: "The sign-in service closed your session (signed out elsewhere, expired, or an administrator disabled the account)."
  };
  // sessionStorage: this tab only, gone when the tab closes, never sent to any server and
  // unreadable by another origin; the token never sits in the URL or a cookie.
  var TOKEN_KEY = "azure-signin-demo.token";
  var SIGNED_OUT_KEY = "azure-signin-demo.signed-out";
  // An invite link's token, kept only until it is used (this tab, never a URL or cookie).
  var INVITE_KEY = "azure-signin-demo.invite";
  var ROLES = ["owner", "editor", "viewer"];
  var body = document.body;
  var service = body.getAttribute("data-service");
  var sandbox = body.getAttribute("data-sandbox");
  var state = { token: null, me: null, uri: null, joined: null };

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
    var notice = state.joined || "";
    state.joined = null;
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
    renderMembersView(current);
    show("profile");
  }

  // --- Members: owners list, invite, change roles and remove, over the workspace API.
  function membersStatus(message) {
    text("members-status", message);
    $("members-status").hidden = !message;
  }

  function refusal(answer) {
    return answer.json().then(function (reply) { return reply.error || String(answer.status); },
                              function () { return String(answer.status); });
  }

  function renderMembersView(current) {
    var owner = !!current && current.role === "owner";
    $("members-view").hidden = !owner;
    $("invite-result").hidden = true;
    membersStatus("");
    state.workspace = owner ? current.workspaceId : null;
    if (owner) { loadMembers(); }
  }

  function loadMembers() {
    var id = state.workspace;
    return withToken("/workspaces/" + id + "/members").then(function (answer) {
      if (!answer.ok) { return refusal(answer).then(membersStatus); }
      return answer.json().then(function (members) { renderMembers(id, members); });
    });
  }

  // Rows are kept across reloads (updated in place, keyed by user): a reload that replaced
  // them while a click was under way (mouse down on the old button, up on the new one)
  // would send the click to the table instead, and the owner's action would be lost.
  function renderMembers(id, members) {
    var rows = $("members");
    if (rows.dataset.workspace !== String(id)) {
      rows.textContent = "";
      rows.dataset.workspace = String(id);
    }
    var kept = {};
    Array.prototype.forEach.call(rows.children, function (row) { kept[row.dataset.userId] = row; });
    members.forEach(function (m, index) {
      var row = kept[m.userId] || memberRow(id);
      delete kept[m.userId];
      fillMemberRow(row, m);
      if (rows.children[index] !== row) { rows.insertBefore(row, rows.children[index] || null); }
    });
    Object.keys(kept).forEach(function (userId) { rows.removeChild(kept[userId]); });
  }

  function memberRow(id) {
    var row = document.createElement("tr");
    ["name", "email"].forEach(function () { row.appendChild(document.createElement("td")); });
    var roleCell = document.createElement("td");
    var select = document.createElement("select");
    ROLES.forEach(function (name) {
      var option = document.createElement("option");
      option.value = name;
      option.textContent = name;
      select.appendChild(option);
    });
    select.addEventListener("change", function () { changeRole(id, row.member, select.value); });
    roleCell.appendChild(select);
    row.appendChild(roleCell);
    var actions = document.createElement("td");
    var remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove";
    remove.addEventListener("click", function () { removeMember(id, row.member); });
    actions.appendChild(remove);
    row.appendChild(actions);
    return row;
  }

  function fillMemberRow(row, m) {
    var label = m.email || m.displayName;
    row.member = m;
    row.dataset.userId = m.userId;
    row.children[0].textContent = m.displayName;
    row.children[1].textContent = m.email || "";
    var select = row.querySelector("select");
    select.setAttribute("aria-label", "Role of " + label);
    select.value = m.role;
    row.querySelector("button").setAttribute("aria-label", "Remove " + label);
  }

  function changeRole(id, member, role) {
    withToken("/workspaces/" + id + "/members/" + encodeURIComponent(member.userId), {
      method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ role: role })
    }).then(function (answer) {
      if (answer.ok) { membersStatus((member.email || member.displayName) + " is now " + role + "."); return loadMembers(); }
      return refusal(answer).then(function (code) { membersStatus("Not changed: " + code); return loadMembers(); });
    });
  }

  function removeMember(id, member) {
    withToken("/workspaces/" + id + "/members/" + encodeURIComponent(member.userId), { method: "DELETE" })
      .then(function (answer) {
        if (answer.ok) { membersStatus((member.email || member.displayName) + " was removed."); return loadMembers(); }
        return refusal(answer).then(function (code) { membersStatus("Not removed: " + code); });
      });
  }

  function invite(event) {
    event.preventDefault();
    var id = state.workspace;
    var body = { email: $("invite-email").value, role: $("invite-role").value };
    withToken("/workspaces/" + id + "/invites", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (answer) {
      if (!answer.ok) { return refusal(answer).then(function (code) { membersStatus("Not invited: " + code); }); }
      return answer.json().then(function (made) {
        $("invite-link").value = made.acceptUrl;
        $("invite-result").hidden = false;
        membersStatus(made.email + " is invited as " + made.role + ".");
      });
    });
  }

  // --- An invite link: /invite#token=... (the token never reaches a server but ours, by POST).
  function acceptPending() {
    var token = sessionStorage.getItem(INVITE_KEY);
    if (!token || !state.token) { return null; }
    sessionStorage.removeItem(INVITE_KEY);
    show("working");
    return withToken("/invites/accept", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token: token })
    }).then(function (answer) {
      if (answer.status === 401) { return showSignedOut("service"); }
      if (!answer.ok) { return refusal(answer).then(showError); }
      return answer.json().then(function (joined) {
        state.joined = "You accepted the invite: you are now " + joined.role + " here.";
        setAddress("/workspace/" + joined.workspaceId + "/home");
        return loadProfile(state.uri);
      });
    }).catch(function () { showError("temporarily_unavailable"); });
  }

  function arriveWithInvite() {
    var token = new URLSearchParams(location.hash.slice(1)).get("token");
    history.replaceState(null, "", "/invite");  // out of the address bar and the history
    if (token) { sessionStorage.setItem(INVITE_KEY, token); }
    state.token = sessionStorage.getItem(TOKEN_KEY);
    if (state.token && acceptPending()) { return; }
    show("signin");  // signed in afterwards, the landing accepts it
    probeSandbox();
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
    // recorded by the service, so the next sign-in lands here; the view changes either way
    withToken("/me/workspace", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ workspaceId: Number(id) })
    }).catch(function () { return null; }).then(function () { loadProfile(state.uri); });
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
      return acceptPending() || loadProfile(uri);
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
  $("invite-form").addEventListener("submit", invite);
  if (location.pathname === "/redirect-uri") {
    arrive();
  } else if (location.pathname === "/invite") {
    arriveWithInvite();
  } else {
    show("signin");
    probeSandbox();
  }
})();
