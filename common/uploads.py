"""Limits on uploaded files, checked before any parser reads them.

Every import (catalog, organisations, demand, price observations, reference prices) goes through these, so an
oversized file or a compressed bomb gets a clear error naming the limit and nothing is read or written:

- `IMPORT_MAX_UPLOAD_BYTES` — the file as uploaded;
- `IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES` and `IMPORT_XLSX_MAX_MEMBERS` — an .xlsx is a zip archive: the sizes its
  members declare are added up (and Python's zipfile never inflates a member past its declared size, failing its
  CRC check instead), so a small file that would unpack to gigabytes is refused before openpyxl opens it.
"""

from __future__ import annotations

import io
import os
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import CommonError, ValidationFailed

MB = 1024 * 1024


def _mb(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n} 字节"


def file_size(stream) -> int:
    """Size of a binary file object (or bytes) without reading it."""
    if isinstance(stream, (bytes, bytearray)):
        return len(stream)
    size = getattr(stream, "size", None)
    if isinstance(size, int):
        return size
    position = stream.tell()
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(position)
    return size


def check_upload_size(size: int) -> None:
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationFailed(
            _("文件过大（%(value)s），上传文件不能超过 %(value2)s") % {"value": _mb(size), "value2": _mb(limit)},
            field="file",
            code=CommonError.FILE_TOO_LARGE,
        )


def check_xlsx_archive(stream) -> None:
    """Refuse an .xlsx whose zip archive is broken, has too many members or would unpack too large."""
    if isinstance(stream, (bytes, bytearray)):
        stream = io.BytesIO(stream)
    position = stream.tell()
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ValidationFailed(
            _("无法读取 Excel 文件，请确认是 .xlsx 工作簿（压缩包已损坏）"), field="file", code=CommonError.BAD_FILE
        ) from None
    finally:
        stream.seek(position)
    max_members = settings.IMPORT_XLSX_MAX_MEMBERS
    if len(members) > max_members:
        raise ValidationFailed(
            _("Excel 文件内部包含 %(count)s 个部件，超过上限 %(max_members)s，拒绝读取")
            % {"count": len(members), "max_members": max_members},
            field="file",
            code=CommonError.FILE_TOO_LARGE,
        )
    total = sum(member.file_size for member in members)
    limit = settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES
    if total > limit:
        raise ValidationFailed(
            _("Excel 文件解压后为 %(value)s，超过上限 %(value2)s，拒绝读取（可能是压缩炸弹）")
            % {"value": _mb(total), "value2": _mb(limit)},
            field="file",
            code=CommonError.FILE_TOO_LARGE,
        )


def check_upload(stream, *, name: str) -> None:
    """Size limit for any upload, and the archive limits for a workbook (by its name or its zip signature)."""
    check_upload_size(file_size(stream))
    if isinstance(stream, (bytes, bytearray)):
        head = bytes(stream[:4])
    else:
        position = stream.tell()
        head = stream.read(4)
        stream.seek(position)
    if name.lower().endswith((".xlsx", ".xlsm")) and head.startswith(b"PK"):
        check_xlsx_archive(stream)
