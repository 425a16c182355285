"""Archives that try to escape the install directory are refused; nothing is left installed."""
import tarfile

import pytest

from release_tree import script, tar_gz, write_release, zip_bytes

VERSION = "1.0.0"


def release_with(server, data, fmt="tar.gz", entry="temporal"):
    components = {"temporal": {"version": "1.5.1", "format": fmt, "entry": entry, "data": data}}
    write_release(server.root, VERSION, components)


@pytest.mark.parametrize("members, text", [
    ([{"name": "../evil", "data": b"x"}], "leaves the archive"),
    ([{"name": "/tmp/stigmer-evil-absolute", "data": b"x"}], "leaves the archive"),
    ([{"name": "temporal", "data": script("temporal", "1")},
      {"name": "link", "type": tarfile.SYMTYPE, "linkname": "../../../etc/passwd"}],
     "points outside"),
    ([{"name": "temporal", "data": script("temporal", "1")},
      {"name": "abs", "type": tarfile.SYMTYPE, "linkname": "/etc/passwd"}], "points outside"),
    ([{"name": "temporal", "data": script("temporal", "1")},
      {"name": "hard", "type": tarfile.LNKTYPE, "linkname": "../outside"}], "points outside"),
    ([{"name": "fifo", "type": tarfile.FIFOTYPE}], "device, fifo or socket"),
])
def test_unsafe_tar_entries_are_refused(server, stigmer, members, text):
    release_with(server, tar_gz(members))
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 4, result.stderr
    assert "unsafe archive" in result.stderr and text in result.stderr
    assert list((stigmer.home / "versions").glob("*/*")) == []
    assert not (stigmer.home / "bin").exists()


def test_zip_with_parent_path_is_refused(server, stigmer):
    release_with(server, zip_bytes([{"name": "../evil", "data": b"x"}]), fmt="zip")
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 4 and "unsafe archive" in result.stderr


def test_symlink_inside_archive_is_kept(server, stigmer):
    members = [{"name": "real/temporal", "data": script("temporal", "1.5.1")},
               {"name": "temporal", "type": tarfile.SYMTYPE, "linkname": "real/temporal"}]
    release_with(server, tar_gz(members), entry="real/temporal")
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 0, result.stderr
    assert (stigmer.home / "versions" / "temporal" / VERSION / "temporal").is_symlink()


def test_entry_missing_from_archive_is_refused(server, stigmer):
    release_with(server, tar_gz([{"name": "other", "data": b"x"}]))
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 4 and "no file 'temporal'" in result.stderr
    assert list((stigmer.home / "versions").glob("*/*")) == []


def test_executable_bit_is_set_even_if_missing_in_archive(server, stigmer):
    release_with(server, tar_gz([{"name": "temporal", "data": script("temporal", "1"), "mode": 0o644}]))
    assert stigmer.run("server", "install", "--version", VERSION).returncode == 0
    assert (stigmer.home / "versions" / "temporal" / VERSION / "temporal").stat().st_mode & 0o100
