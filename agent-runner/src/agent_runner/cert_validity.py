"""The validity period of a PEM certificate, read with the standard library alone.

The frozen runner leaves the `cryptography` package out, and Python's ssl module parses no
certificate file, so this walks the DER just far enough: Certificate -> TBSCertificate ->
[version], serial, signature algorithm, issuer, Validity (notBefore, notAfter)."""

from __future__ import annotations

import base64
import binascii
import datetime
import re

_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL)
_SEQUENCE, _UTC_TIME, _GENERALIZED_TIME, _VERSION_TAG = 0x30, 0x17, 0x18, 0xA0


class NotACertificate(ValueError):
    pass


def _element(data: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER element at `at`."""
    if at + 2 > len(data):
        raise NotACertificate("truncated")
    tag, length, start = data[at], data[at + 1], at + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or start + count > len(data):
            raise NotACertificate("bad length")
        length, start = int.from_bytes(data[start : start + count], "big"), start + count
    if start + length > len(data):
        raise NotACertificate("truncated")
    return tag, start, start + length


def _time(tag: int, text: bytes) -> datetime.datetime:
    formats = {_UTC_TIME: "%y%m%d%H%M%SZ", _GENERALIZED_TIME: "%Y%m%d%H%M%SZ"}
    if tag not in formats:
        raise NotACertificate("no validity time")
    try:
        moment = datetime.datetime.strptime(text.decode("ascii"), formats[tag])
    except (UnicodeDecodeError, ValueError):
        raise NotACertificate("bad validity time") from None
    return moment.replace(tzinfo=datetime.timezone.utc)


def validity(pem: bytes) -> tuple[datetime.datetime, datetime.datetime]:
    """(not before, not after) of the first certificate in `pem`; NotACertificate otherwise."""
    match = _PEM.search(pem)
    if match is None:
        raise NotACertificate("no PEM certificate")
    try:
        der = base64.b64decode(b"".join(match.group(1).split()), validate=True)
    except (binascii.Error, ValueError):
        raise NotACertificate("bad base64") from None
    tag, start, _ = _element(der, 0)
    if tag != _SEQUENCE:
        raise NotACertificate("not a certificate")
    tag, at, _ = _element(der, start)  # TBSCertificate
    if tag != _SEQUENCE:
        raise NotACertificate("not a certificate")
    if der[at] == _VERSION_TAG:
        at = _element(der, at)[2]
    for _ in range(3):  # serial number, signature algorithm, issuer
        at = _element(der, at)[2]
    tag, at, _ = _element(der, at)
    if tag != _SEQUENCE:
        raise NotACertificate("no validity")
    before_tag, before_start, before_end = _element(der, at)
    after_tag, after_start, after_end = _element(der, before_end)
    return _time(before_tag, der[before_start:before_end]), _time(after_tag, der[after_start:after_end])
