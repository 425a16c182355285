"""Freeze and rollback protection: a signed channel or manifest published before the newest one
this home has verified from the same release tree is refused (a replayed old file).

Every file here is really signed by the minisign tool; only `published_at` tells them apart.
"""
import json

from release_tree import write_channel, write_release

OLDER = "2026-11-20T12:00:00Z"
NEWER = "2026-11-24T12:00:00Z"
NEWEST = "2026-11-28T12:00:00Z"


def record_file(stigmer):
    return stigmer.home / "state" / "release-freshness.json"


def active_version(stigmer):
    return json.loads(stigmer.run("server", "versions", "--json").stdout)["active"]


def publish_two_releases(server):
    write_release(server.root, "1.0.0", published_at=OLDER)
    write_release(server.root, "1.1.0", published_at=NEWER)


def assert_replay_refused(result, url):
    assert result.returncode == 4, result.stderr
    assert "published" in result.stderr and "older than" in result.stderr, result.stderr
    assert url in result.stderr, result.stderr
    assert "--allow-downgrade" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_replayed_older_channel_cannot_roll_back(server, stigmer):
    publish_two_releases(server)
    write_channel(server.root, "stable", "1.1.0", published_at=NEWER)
    assert stigmer.run("server", "update").returncode == 0
    assert active_version(stigmer) == "1.1.0"

    # The old channel file, still validly signed, served again.
    write_channel(server.root, "stable", "1.0.0", published_at=OLDER)
    channel_url = f"{server.url}/channels/stable.json"
    assert_replay_refused(stigmer.run("server", "update"), channel_url)
    assert_replay_refused(stigmer.run("server", "update", "--check"), channel_url)
    assert active_version(stigmer) == "1.1.0"
    assert not (stigmer.home / "manifests" / "1.0.0").exists()


def test_replayed_older_channel_cannot_freeze(server, stigmer):
    # Freeze: the user is on 1.0.0, 1.1.0 was announced; a replay of the channel that still
    # named 1.0.0 must not say "up to date".
    publish_two_releases(server)
    write_channel(server.root, "stable", "1.0.0", published_at=OLDER)
    assert stigmer.run("server", "update").returncode == 0
    write_channel(server.root, "stable", "1.1.0", published_at=NEWER)
    assert stigmer.run("server", "update", "--check").returncode == 10

    write_channel(server.root, "stable", "1.0.0", published_at=OLDER)
    result = stigmer.run("server", "update")
    assert_replay_refused(result, f"{server.url}/channels/stable.json")
    assert "up to date" not in result.stdout


def test_same_and_newer_channel_files_are_accepted(server, stigmer):
    publish_two_releases(server)
    write_release(server.root, "1.2.0", published_at=NEWEST)
    write_channel(server.root, "stable", "1.1.0", published_at=NEWER)
    assert stigmer.run("server", "update").returncode == 0
    # The same file again (every later check re-reads it).
    again = stigmer.run("server", "update")
    assert again.returncode == 0 and "up to date" in again.stdout, again.stderr
    # The same instant written with an offset is the same publication, not an older one.
    write_channel(server.root, "stable", "1.1.0", published_at="2026-11-24T13:00:00+01:00")
    assert stigmer.run("server", "update").returncode == 0
    write_channel(server.root, "stable", "1.2.0", published_at=NEWEST)
    assert stigmer.run("server", "update").returncode == 0
    assert active_version(stigmer) == "1.2.0"


def test_instants_are_compared_not_strings(server, stigmer):
    publish_two_releases(server)
    write_channel(server.root, "stable", "1.1.0", published_at="2026-11-24T12:30:00Z")
    assert stigmer.run("server", "update").returncode == 0
    # Sorts after "...T12:30:00Z" as text, but is 12:00 UTC: older.
    write_channel(server.root, "stable", "1.1.0", published_at="2026-11-24T13:00:00+01:00")
    assert_replay_refused(stigmer.run("server", "update"), f"{server.url}/channels/stable.json")


def test_forced_older_channel_is_accepted_and_remembered(server, stigmer):
    publish_two_releases(server)
    write_channel(server.root, "stable", "1.1.0", published_at=NEWER)
    assert stigmer.run("server", "update").returncode == 0
    write_channel(server.root, "stable", "1.0.0", published_at=OLDER)

    forced = stigmer.run("server", "update", "--allow-downgrade")
    assert forced.returncode == 0, forced.stderr
    assert "updated 1.1.0 -> 1.0.0" in forced.stdout
    assert active_version(stigmer) == "1.0.0"
    # The user's choice sticks: the file they accepted is now the newest verified.
    assert stigmer.run("server", "update").returncode == 0


def test_each_release_tree_and_channel_is_its_own_history(server, stigmer):
    publish_two_releases(server)
    write_channel(server.root, "stable", "1.1.0", published_at=NEWER)
    write_channel(server.root, "beta", "1.1.0", published_at=OLDER)
    assert stigmer.run("server", "update", "--check").returncode == 10
    # beta has never been seen newer than its own file.
    assert stigmer.run("server", "update", "--check", "--channel", "beta").returncode == 10
    recorded = json.loads(record_file(stigmer).read_text())
    channels = recorded["sources"][server.url]["channels"]
    assert channels == {"stable": NEWER, "beta": OLDER}


def test_replayed_older_manifest_of_a_version_is_refused(server, stigmer):
    publish_two_releases(server)
    write_channel(server.root, "stable", "1.1.0", published_at=NEWER)
    # --check reads 1.1.0's manifest (for what it needs of the CLI) without installing it.
    assert stigmer.run("server", "update", "--check").returncode == 10

    write_release(server.root, "1.1.0", published_at=OLDER)
    manifest_url = f"{server.url}/1.1.0/manifest.json"
    result = stigmer.run("server", "install", "--version", "1.1.0")
    assert_replay_refused(result, manifest_url)
    assert not (stigmer.home / "manifests" / "1.1.0").exists()
    assert not (stigmer.home / "bin").exists()

    forced = stigmer.run("server", "install", "--version", "1.1.0", "--allow-downgrade")
    assert forced.returncode == 0, forced.stderr


def test_an_explicitly_requested_older_version_still_installs(server, stigmer):
    publish_two_releases(server)
    assert stigmer.run("server", "install", "--version", "1.1.0").returncode == 0
    # 1.0.0's manifest is older than 1.1.0's: a user's choice, not a replay.
    older = stigmer.run("server", "install", "--version", "1.0.0")
    assert older.returncode == 0, older.stderr
    assert active_version(stigmer) == "1.0.0"


def test_a_corrupt_record_is_said_and_replaced(server, stigmer):
    publish_two_releases(server)
    write_channel(server.root, "stable", "1.1.0", published_at=NEWER)
    record_file(stigmer).parent.mkdir(parents=True)
    record_file(stigmer).write_text("{not json")
    result = stigmer.run("server", "update", "--check")
    assert result.returncode == 10, result.stderr
    assert str(record_file(stigmer)) in result.stderr
    assert "starting a new one" in result.stderr
    recorded = json.loads(record_file(stigmer).read_text())
    assert recorded["sources"][server.url]["channels"] == {"stable": NEWER}


def test_unparseable_published_at_is_refused(server, stigmer):
    write_release(server.root, "1.0.0")
    write_channel(server.root, "stable", "1.0.0", published_at="last tuesday")
    result = stigmer.run("server", "update")
    assert result.returncode == 4, result.stderr
    assert "published_at 'last tuesday' is not an RFC 3339 time" in result.stderr
    assert f"{server.url}/channels/stable.json" in result.stderr
