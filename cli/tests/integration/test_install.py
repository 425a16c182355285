"""Installs from a loopback release tree: formats, offline reuse, version reporting."""
import json
import os
import subprocess
import time

from conftest import Stigmer
from release_tree import write_release

VERSION = "1.0.0"


def test_install_all_formats_and_run_launchers(server, stigmer):
    write_release(server.root, VERSION)
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 0, result.stderr
    assert "installed release 1.0.0" in result.stdout
    for name, expected in [("agent-runner", "agent-runner 1.0.0"), ("temporal", "temporal 1.5.1"),
                           ("helper", "helper 0.1.0")]:
        launcher = stigmer.home / "bin" / name
        assert launcher.is_symlink()
        assert not os.path.isabs(os.readlink(launcher))
        output = subprocess.run([str(launcher), "hi"], capture_output=True, text=True, check=True)
        assert output.stdout.strip() == expected + " hi"
    assert (stigmer.home / "versions" / "temporal" / VERSION / "bin" / "temporal").stat().st_mode & 0o111
    assert (stigmer.home / "versions" / "temporal" / VERSION / "LICENSE").read_text() == "MIT\n"
    assert (stigmer.home / "manifests" / VERSION / "manifest.json.minisig").exists()
    state = json.loads((stigmer.home / "state" / "active.json").read_text())
    assert state["active"] == VERSION


def test_install_into_a_home_reached_through_a_symlink(server, tmp_path):
    # As on macOS, where /tmp and /var are symlinks, and wherever a home directory is one.
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    linked = Stigmer(tmp_path / "link" / "home" / ".stigmer", server.url)
    write_release(server.root, VERSION)
    result = linked.run("server", "install", "--version", VERSION)
    assert result.returncode == 0, result.stderr
    temporal = tmp_path / "real" / "home" / ".stigmer" / "versions" / "temporal" / VERSION
    assert (temporal / "bin" / "temporal").stat().st_mode & 0o111
    output = subprocess.run([str(linked.home / "bin" / "temporal"), "hi"], capture_output=True,
                            text=True, check=True)
    assert output.stdout.strip() == "temporal 1.5.1 hi"


def test_installed_version_is_used_without_network(server, stigmer, tmp_path):
    write_release(server.root, VERSION)
    assert stigmer.run("server", "install", "--version", VERSION).returncode == 0
    before = len(server.log())
    offline = stigmer.run("server", "install", "--version", VERSION,
                          env={"STIGMER_RELEASES_URL": "http://127.0.0.1:9"}, url=False)
    assert offline.returncode == 0, offline.stderr
    assert len(server.log()) == before


def test_versions_lists_release_and_component_versions(server, stigmer):
    write_release(server.root, VERSION)
    stigmer.run("server", "install", "--version", VERSION)
    result = stigmer.run("server", "versions", "--json")
    document = json.loads(result.stdout)
    assert document["active"] == VERSION
    [entry] = document["versions"]
    assert entry["complete"] and entry["active"]
    assert entry["components"] == {"agent-runner": "1.0.0", "helper": "0.1.0", "temporal": "1.5.1"}
    text = stigmer.run("server", "versions").stdout
    assert "* 1.0.0: agent-runner 1.0.0 helper 0.1.0 temporal 1.5.1" in text


def test_version_command_reports_platform_and_components(server, stigmer):
    result = stigmer.run("version", "--json")
    document = json.loads(result.stdout)
    assert document["version"] == "0.0.0-dev"
    assert document["platform"] == "linux-amd64"
    assert document["release_installed"] is False
    assert document["active"] is None
    write_release(server.root, "0.0.0-dev")
    assert stigmer.run("server", "install").returncode == 0
    text = stigmer.run("--version").stdout
    assert "stigmer 0.0.0-dev" in text and "temporal 1.5.1" in text and "linux-amd64" in text


def test_missing_platform_is_refused(server, stigmer):
    write_release(server.root, VERSION)
    result = stigmer.run("--platform", "darwin-arm64", "server", "install", "--version", VERSION)
    assert result.returncode == 5
    assert "has no" in result.stderr and "darwin-arm64" in result.stderr


def test_unknown_platform_flag_is_a_usage_error(stigmer):
    result = stigmer.run("--platform", "plan9-mips", "version")
    assert result.returncode == 2


def test_plain_http_to_remote_host_is_refused(stigmer):
    result = stigmer.run("server", "install", "--version", VERSION,
                         env={"STIGMER_RELEASES_URL": "http://example.invalid"}, url=False)
    assert result.returncode == 7
    assert "https://" in result.stderr


def test_releases_url_precedence_flag_env_config(server, stigmer):
    write_release(server.root, VERSION)
    stigmer.home.mkdir(parents=True)
    (stigmer.home / "config.toml").write_text(f'releases_url = "{server.url}"\n')
    # config alone works
    assert stigmer.run("server", "install", "--version", VERSION, url=False).returncode == 0
    # env beats config (the env URL is dead, so the manifest fetch must fail)
    fresh = stigmer.home / "versions"
    subprocess.run(["rm", "-rf", str(fresh), str(stigmer.home / "manifests")], check=True)
    dead = "http://127.0.0.1:9"
    failed = stigmer.run("server", "install", "--version", VERSION, url=False,
                         env={"STIGMER_RELEASES_URL": dead, "STIGMER_HTTP_RETRIES": "1"})
    assert failed.returncode == 3 and "127.0.0.1:9" in failed.stderr
    # flag beats env
    ok = stigmer.run("server", "install", "--version", VERSION,
                     env={"STIGMER_RELEASES_URL": dead})
    assert ok.returncode == 0, ok.stderr


def test_invalid_config_toml_is_reported(stigmer):
    stigmer.home.mkdir(parents=True)
    (stigmer.home / "config.toml").write_text("releases_url = \n")
    result = stigmer.run("server", "versions", url=False)
    assert result.returncode == 2 and "config.toml" in result.stderr


def test_proxy_from_environment_is_used(server, stigmer):
    write_release(server.root, VERSION)
    dead = "http://127.0.0.1:9"
    result = stigmer.run("server", "install", "--version", VERSION, url=False,
                         env={"STIGMER_RELEASES_URL": dead, "HTTP_PROXY": server.url})
    assert result.returncode == 0, result.stderr
    assert all(entry["proxied"] for entry in server.log())
    # NO_PROXY bypasses it: the dead URL is then contacted directly and fails
    subprocess.run(["rm", "-rf", str(stigmer.home)], check=True)
    bypass = stigmer.run("server", "install", "--version", VERSION, url=False,
                         env={"STIGMER_RELEASES_URL": dead, "HTTP_PROXY": server.url,
                              "NO_PROXY": "127.0.0.1", "STIGMER_HTTP_RETRIES": "1"})
    assert bypass.returncode == 3


def test_https_proxy_from_environment_is_used(server, stigmer):
    result = stigmer.run("server", "install", "--version", VERSION, url=False,
                         env={"STIGMER_RELEASES_URL": "https://releases.stigmer.invalid",
                              "HTTPS_PROXY": server.url, "STIGMER_HTTP_RETRIES": "1"})
    assert result.returncode == 3
    assert [e.get("connect") for e in server.log()] == ["releases.stigmer.invalid:443"]


def test_cli_component_is_listed_but_not_installed(server, stigmer):
    from release_tree import default_components, script
    components = default_components(VERSION)
    components["stigmer"] = {"version": VERSION, "format": "binary", "entry": "stigmer",
                             "data": script("stigmer", VERSION)}
    write_release(server.root, VERSION, components)
    assert stigmer.run("server", "install", "--version", VERSION).returncode == 0
    assert not (stigmer.home / "versions" / "stigmer").exists()
    assert not (stigmer.home / "bin" / "stigmer").exists()
    assert server.requests_for(f"/{VERSION}/linux-amd64/stigmer") == []


def test_install_removes_downloads_abandoned_for_a_week_and_keeps_recent_ones(server, stigmer):
    downloads = stigmer.home / "downloads"
    downloads.mkdir(parents=True)
    abandoned, recent = downloads / ("a" * 64 + ".part"), downloads / ("b" * 64 + ".part")
    abandoned.write_bytes(b"x" * 1000)
    recent.write_bytes(b"y" * 1000)
    eight_days_ago = time.time() - 8 * 24 * 3600
    os.utime(abandoned, (eight_days_ago, eight_days_ago))
    write_release(server.root, VERSION)
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 0, result.stderr
    assert not abandoned.exists()
    assert recent.read_bytes() == b"y" * 1000
