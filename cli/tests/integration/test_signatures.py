"""Manifest and channel signatures: missing, corrupted, untrusted, tampered, wrong version."""
import json

from release_tree import generate_key, sign, write_channel, write_release

VERSION = "1.0.0"


def manifest_path(server):
    return server.root / VERSION / "manifest.json"


def assert_refused(result, text):
    assert result.returncode == 4, result.stderr
    assert text in result.stderr, result.stderr


def test_legacy_signature_is_refused(server, stigmer):
    # Releases are signed pre-hashed (ED); a legacy (Ed) signature is not one of ours.
    write_release(server.root, VERSION, legacy=True)
    result = stigmer.run("server", "install", "--version", VERSION)
    assert_refused(result, "legacy")
    assert not (stigmer.home / "versions").exists()


def test_missing_signature_is_refused(server, stigmer):
    write_release(server.root, VERSION, sign_manifest=False)
    result = stigmer.run("server", "install", "--version", VERSION)
    assert_refused(result, "signature is missing")
    assert "manifest.json.minisig" in result.stderr
    assert not (stigmer.home / "versions").exists()


def test_corrupted_signature_is_refused(server, stigmer):
    write_release(server.root, VERSION)
    sig = manifest_path(server).with_suffix(".json.minisig")
    lines = sig.read_text().splitlines()
    body = lines[1]
    lines[1] = body[:-6] + ("A" if body[-6] != "A" else "B") + body[-5:]
    sig.write_text("\n".join(lines) + "\n")
    assert_refused(stigmer.run("server", "install", "--version", VERSION), "does not match")


def test_garbage_signature_is_refused(server, stigmer):
    write_release(server.root, VERSION)
    manifest_path(server).with_suffix(".json.minisig").write_text("hello\n")
    assert_refused(stigmer.run("server", "install", "--version", VERSION), "malformed signature")


def test_tampered_manifest_is_refused(server, stigmer):
    write_release(server.root, VERSION)
    path = manifest_path(server)
    path.write_text(path.read_text().replace("2026-11-24T12:00:00Z", "2026-11-25T12:00:00Z"))
    assert_refused(stigmer.run("server", "install", "--version", VERSION), "does not match")


def test_tampered_trusted_comment_is_refused(server, stigmer):
    write_release(server.root, VERSION)
    sig = manifest_path(server).with_suffix(".json.minisig")
    lines = sig.read_text().splitlines()
    lines[2] = "trusted comment: something else"
    sig.write_text("\n".join(lines) + "\n")
    assert_refused(stigmer.run("server", "install", "--version", VERSION), "trusted comment")


def test_untrusted_key_is_refused(server, stigmer, tmp_path):
    other = generate_key(tmp_path / "keys")
    write_release(server.root, VERSION, key=other)
    assert_refused(stigmer.run("server", "install", "--version", VERSION), "untrusted key")


def test_manifest_for_another_version_is_refused(server, stigmer):
    write_release(server.root, VERSION, manifest_overrides=lambda m: m.update(version="1.0.1"))
    assert_refused(stigmer.run("server", "install", "--version", VERSION),
                   "manifest is for version 1.0.1, not 1.0.0")


def test_unknown_schema_is_refused(server, stigmer):
    write_release(server.root, VERSION, manifest_overrides=lambda m: m.update(schema=2))
    assert_refused(stigmer.run("server", "install", "--version", VERSION), "unsupported release schema")


def test_bad_platform_key_is_refused(server, stigmer):
    def bad(manifest):
        platforms = manifest["components"]["temporal"]["platforms"]
        platforms["linux-x86"] = platforms["linux-amd64"]
    write_release(server.root, VERSION, manifest_overrides=bad)
    assert_refused(stigmer.run("server", "install", "--version", VERSION), "linux-x86")


def test_channel_with_untrusted_signature_is_refused(server, stigmer, tmp_path):
    write_release(server.root, VERSION)
    write_channel(server.root, "stable", VERSION, key=generate_key(tmp_path / "keys"))
    assert_refused(stigmer.run("server", "update"), "untrusted key")


def test_stored_manifest_is_reverified_offline(server, stigmer):
    write_release(server.root, VERSION)
    assert stigmer.run("server", "install", "--version", VERSION).returncode == 0
    stored = stigmer.home / "manifests" / VERSION / "manifest.json"
    data = json.loads(stored.read_text())
    data["components"]["temporal"]["version"] = "6.6.6"
    stored.write_text(json.dumps(data))
    listing = json.loads(stigmer.run("server", "versions", "--json").stdout)
    assert listing["versions"][0]["complete"] is False
