#!/usr/bin/env python3
"""The oldest system a release binary runs on, read from the binary itself.

    binary_floor.py glibc FILE...   newest GLIBC_x.y symbol version each ELF file asks for
    binary_floor.py macos FILE...   LC_BUILD_VERSION (or LC_VERSION_MIN_MACOSX) minos of each
                                    Mach-O file, every slice of a universal one

One line per file, `FILE<TAB>VERSION` (`-` when the file names none); files of another format
are skipped. Reading the binaries here rather than with readelf or otool lets check-portable.sh
check a macOS binary on Linux and the other way round, and lets the tests build one.
"""
from __future__ import annotations

import struct
import sys
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
MACHO_MAGICS = {b"\xcf\xfa\xed\xfe": "<", b"\xce\xfa\xed\xfe": "<", b"\xfe\xed\xfa\xcf": ">", b"\xfe\xed\xfa\xce": ">"}
FAT_MAGICS = {b"\xca\xfe\xba\xbe": 20, b"\xca\xfe\xba\xbf": 32}
LC_BUILD_VERSION = 0x32
LC_VERSION_MIN_MACOSX = 0x24
PLATFORM_MACOS = 1
SHT_GNU_VERNEED = 0x6FFFFFFE


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def glibc_floor(data: bytes) -> str | None:
    """The newest GLIBC_ version in the ELF file's version-needed section (what ld.so checks)."""
    if data[4] != 2:
        raise ValueError("only 64-bit ELF files are released")
    endian = "<" if data[5] == 1 else ">"
    shoff, = struct.unpack_from(endian + "Q", data, 0x28)
    shentsize, shnum = struct.unpack_from(endian + "HH", data, 0x3A)
    sections = [struct.unpack_from(endian + "IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    newest: str | None = None
    for _name, kind, _flags, _addr, offset, _size, link, info, _align, _entsize in sections:
        if kind != SHT_GNU_VERNEED:
            continue
        strings = sections[link][4]
        entry = offset
        for _ in range(info):
            _version, count, _file, aux, next_entry = struct.unpack_from(endian + "HHIII", data, entry)
            at = entry + aux
            for _ in range(count):
                _hash, _flags2, _other, name, next_aux = struct.unpack_from(endian + "IHHII", data, at)
                end = data.index(b"\0", strings + name)
                label = data[strings + name:end].decode()
                if label.startswith("GLIBC_") and label[6:].replace(".", "").isdigit():
                    candidate = label[6:]
                    if newest is None or version_key(candidate) > version_key(newest):
                        newest = candidate
                at += next_aux
            entry += next_entry
            if next_entry == 0:
                break
    return newest


def _decode_version(packed: int) -> str:
    major, minor, patch = packed >> 16, (packed >> 8) & 0xFF, packed & 0xFF
    return f"{major}.{minor}" + (f".{patch}" if patch else "")


def _macho_minos(data: bytes, start: int) -> str | None:
    endian = MACHO_MAGICS[data[start:start + 4]]
    is64 = data[start:start + 4] in (b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf")
    ncmds, = struct.unpack_from(endian + "I", data, start + 16)
    at = start + (32 if is64 else 28)
    for _ in range(ncmds):
        cmd, size = struct.unpack_from(endian + "II", data, at)
        if cmd == LC_BUILD_VERSION:
            platform, minos = struct.unpack_from(endian + "II", data, at + 8)
            if platform == PLATFORM_MACOS:
                return _decode_version(minos)
        elif cmd == LC_VERSION_MIN_MACOSX:
            return _decode_version(struct.unpack_from(endian + "I", data, at + 8)[0])
        at += size
    return None


def macos_floor(data: bytes) -> str | None:
    """The highest minos over the file's slices: the slice a Mac runs must be allowed there."""
    fat_entry = FAT_MAGICS.get(data[:4])
    if fat_entry is None:
        return _macho_minos(data, 0)
    count, = struct.unpack_from(">I", data, 4)
    floors: list[str] = []
    for i in range(count):
        entry = 8 + i * fat_entry
        offset = struct.unpack_from(">I" if fat_entry == 20 else ">Q", data, entry + 8)[0]
        found = _macho_minos(data, offset)
        if found:
            floors.append(found)
    return max(floors, key=version_key) if floors else None


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("glibc", "macos"):
        print("usage: binary_floor.py glibc|macos FILE...", file=sys.stderr)
        return 2
    for name in argv[1:]:
        data = Path(name).read_bytes()
        if argv[0] == "glibc":
            if not data.startswith(ELF_MAGIC):
                continue
            floor = glibc_floor(data)
        else:
            if data[:4] not in MACHO_MAGICS and data[:4] not in FAT_MAGICS:
                continue
            floor = macos_floor(data)
        print(f"{name}\t{floor or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
