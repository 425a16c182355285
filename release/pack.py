#!/usr/bin/env python3
"""Packs files into a reproducible tar.gz or zip (same bytes on every OS for the same input).

  pack.py --format tar.gz --out stigmer.tar.gz path/to/stigmer[=name-in-archive] ...
  pack.py --format tar.gz --out agent-runner.tar.gz --dir FOLDER [path=name ...]

`--dir` packs every file under FOLDER, named relative to it, in sorted order; a file also
given by name replaces the folder's file of that name.

Executables keep mode 0755, everything else gets 0644; owner root, fixed timestamp
(SOURCE_DATE_EPOCH, else 2000-01-01), entries in the order given.
"""
from __future__ import annotations

import argparse
import gzip
import os
import sys
import tarfile
import zipfile
from pathlib import Path

DEFAULT_EPOCH = 946684800  # 2000-01-01T00:00:00Z; zip cannot store dates before 1980


def members(specs: list[str]) -> list[tuple[Path, str, int]]:
    out = []
    for spec in specs:
        src, _, name = spec.partition("=")
        path = Path(src)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: not a file")
        executable = os.access(path, os.X_OK) or name.endswith(".exe") or path.suffix == ".exe"
        out.append((path, name or path.name, 0o755 if executable else 0o644))
    return out


def folder_members(folder: Path, replaced: set[str]) -> list[str]:
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: not a directory")
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return [f"{folder / name}={name}" for name in names if name not in replaced]


def write_tar_gz(out: Path, entries: list[tuple[Path, str, int]], epoch: int) -> None:
    with out.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=epoch, compresslevel=6) as gz:
        with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for path, name, mode in entries:
                info = tarfile.TarInfo(name)
                info.size = path.stat().st_size
                info.mode, info.mtime = mode, epoch
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                with path.open("rb") as f:
                    tar.addfile(info, f)


def write_zip(out: Path, entries: list[tuple[Path, str, int]], epoch: int) -> None:
    import time

    stamp = time.gmtime(max(epoch, 315532800))[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path, name, mode in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = (0o100000 | mode) << 16  # unix mode, read by unzip and libarchive
            info.create_system = 3
            info.compress_type = zipfile.ZIP_DEFLATED
            with path.open("rb") as f:
                zf.writestr(info, f.read())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--format", choices=("tar.gz", "zip"), required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--dir", type=Path, help="pack every file under this folder")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    if not args.files and not args.dir:
        parser.error("nothing to pack: give files or --dir")
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))
    try:
        named = {spec.partition("=")[2] or Path(spec).name for spec in args.files}
        entries = members((folder_members(args.dir, named) if args.dir else []) + args.files)
    except FileNotFoundError as err:
        print(f"pack: {err}", file=sys.stderr)
        return 1
    tmp = args.out.with_name(args.out.name + ".tmp")
    (write_tar_gz if args.format == "tar.gz" else write_zip)(tmp, entries, epoch)
    os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
