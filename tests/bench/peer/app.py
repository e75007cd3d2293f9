"""The peer: a minimal Flask app signing in with Microsoft's `identity` library, its
documented auth-code flow (`Auth(...)`, `@auth.login_required`), plus one Graph read, as
its samples do. Configured from the environment by tests/loadtest/peer.py against the
sandbox; the sandbox's CA is trusted through REQUESTS_CA_BUNDLE (msal uses requests).

Not part of the product, not imported by it; runs only in its own venv."""
from __future__ import annotations

import os

import identity.flask
import requests
from flask import Flask, jsonify

app = Flask(__name__)
app.config.update(
    SECRET_KEY=os.environ["PEER_SECRET_KEY"],
    SESSION_TYPE="filesystem",
    SESSION_FILE_DIR=os.environ["PEER_SESSION_DIR"],
)
auth = identity.flask.Auth(
    app,
    oidc_authority=os.environ["PEER_AUTHORITY"],
    client_id=os.environ["PEER_CLIENT_ID"],
    client_credential=os.environ["PEER_CLIENT_SECRET"],
    redirect_uri=os.environ["PEER_REDIRECT_URI"],
)
GRAPH_ME = os.environ["PEER_GRAPH_URL"].rstrip("/") + "/me"


@app.route("/")
@auth.login_required(scopes=["User.Read"])
def index(*, context):  # type: ignore[no-untyped-def]
    me = requests.get(GRAPH_ME, headers={"Authorization": f"Bearer {context['access_token']}"}, timeout=10)
    return jsonify(signed_in=context["user"].get("oid"), graph_status=me.status_code,
                   display_name=me.json().get("displayName") if me.ok else None)


@app.route("/health")
def health():  # type: ignore[no-untyped-def]
    return "ok"
