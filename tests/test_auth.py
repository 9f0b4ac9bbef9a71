"""Tokens: no token, a wrong one, a read-only one, a revoked one; hashed at rest; writes off
without a write token; the `xiancheng token` verbs."""

from __future__ import annotations

import hashlib
import stat

import pytest
from click.testing import CliRunner

from xiancheng.cli import main
from xiancheng.service.auth import create_token, read_tokens, revoke_token

INSERT = 'INSERT DATA { GRAPH <urn:test:auth> { <urn:test:s> <urn:test:p> "x" } }'
HEADERS = {"Content-Type": "application/sparql-update"}


def _post(client, token=None, scheme="Bearer"):
    headers = dict(HEADERS)
    if token is not None:
        headers["Authorization"] = f"{scheme} {token}"
    return client.post("/update", data=INSERT, headers=headers)


def test_a_write_without_a_token_gets_401_with_a_challenge(write_client):
    r = _post(write_client)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith('Bearer realm="xiancheng"')
    assert "Authorization: Bearer" in r.get_json()["error"]["detail"]


def test_a_wrong_token_gets_401_everywhere(write_client):
    for r in (_post(write_client, "xck_not-a-token"),
              write_client.get("/sparql?query=ASK{}", headers={"Authorization": "Bearer xck_nope"}),
              write_client.get("/queries.json", headers={"Authorization": "Bearer xck_nope"})):
        assert r.status_code == 401
        assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert _post(write_client, "user:pass", scheme="Basic").status_code == 401


def test_a_read_token_may_read_but_not_write(write_app, write_client):
    token = write_app.tokens["reader"]
    r = _post(write_client, token)
    assert r.status_code == 403 and "may only read" in r.get_json()["error"]["detail"]
    assert 'error="insufficient_scope"' in r.headers["WWW-Authenticate"]
    ok = write_client.get("/sparql?query=ASK{}", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200


def test_a_write_token_writes(write_app, write_client):
    assert _post(write_client, write_app.tokens["alice"]).status_code == 200


def test_a_revoked_token_is_refused_at_once(write_app, write_client, writable):
    data_dir, _ = writable
    path = data_dir / "tokens.toml"
    token = create_token(path, "temporary", "write")
    assert _post(write_client, token).status_code == 200
    assert revoke_token(path, "temporary")
    assert _post(write_client, token).status_code == 401


def test_tokens_are_hashed_at_rest(tmp_path):
    path = tmp_path / "tokens.toml"
    token = create_token(path, "alice", "write")
    text = path.read_text()
    assert token not in text and token[4:20] not in text
    assert hashlib.sha256(token.encode()).hexdigest() in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_tokens(path) == [{"name": "alice", "role": "write", "sha256": hashlib.sha256(token.encode()).hexdigest(),
                                  "created": read_tokens(path)[0]["created"]}]
    with pytest.raises(ValueError, match="already"):
        create_token(path, "alice", "admin")
    with pytest.raises(ValueError, match="role"):
        create_token(path, "bob", "superuser")
    with pytest.raises(ValueError, match="valid token name"):
        create_token(path, "Bob Smith", "read")


def test_without_a_write_token_writes_are_off(client):
    """The shared app has no tokens file: it serves reads and refuses writes with 403."""
    r = client.post("/update", data=INSERT, headers=HEADERS)
    assert r.status_code == 403 and "no write token" in r.get_json()["error"]["detail"]
    r = client.put("/store?graph=urn:test:g", data="<urn:a> <urn:b> <urn:c> .", headers={"Content-Type": "text/turtle"})
    assert r.status_code == 403
    assert client.get("/store?default").status_code == 200


def test_the_token_verbs(tmp_path):
    runner = CliRunner()
    args = ["--data-dir", str(tmp_path)]
    created = runner.invoke(main, args + ["token", "create", "carol", "--role", "admin"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[0]
    assert token.startswith("xck_") and len(token) > 40
    listed = runner.invoke(main, args + ["token", "list"])
    assert "carol" in listed.stdout and "admin" in listed.stdout and token not in listed.stdout
    assert runner.invoke(main, args + ["token", "create", "carol"]).exit_code == 1
    assert runner.invoke(main, args + ["token", "revoke", "carol"]).exit_code == 0
    missing = runner.invoke(main, args + ["token", "revoke", "carol"])
    assert missing.exit_code == 1 and "no token named" in missing.output


def test_a_broken_tokens_file_keeps_the_tokens_that_were_read(tmp_path):
    from xiancheng.service.auth import Tokens

    path = tmp_path / "tokens.toml"
    token = create_token(path, "alice", "write")
    tokens = Tokens(path)
    assert tokens.identify(token).name == "alice"
    path.write_text(path.read_text() + "\n[[token]\nname = \n")   # a bad edit
    assert tokens.identify(token).name == "alice" and tokens.writers_configured()


def test_info_says_whether_writes_are_on(tmp_path, release):
    import shutil

    runner = CliRunner()
    args = ["--data-dir", str(tmp_path)]
    shutil.copytree(release.path, tmp_path / "releases" / release.path.name)
    (tmp_path / "releases" / "current").write_text(release.id + "\n")
    assert "writes off (no write token)" in runner.invoke(main, args + ["info"]).output
    runner.invoke(main, args + ["token", "create", "dora", "--role", "write"])
    assert "writable store: none yet; writes on" in runner.invoke(main, args + ["info"]).output
