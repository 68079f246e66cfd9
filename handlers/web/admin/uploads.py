"""An uploaded file for an admin page: present, within the size limit, of an allowed type by its name's
extension and by its first bytes (a renamed executable is not a workbook)."""

from __future__ import annotations

from collections.abc import Mapping

from handlers.i18n import _
from handlers.web.context import WebContext
from handlers.web.errors import BadInput, TooLarge


async def read_upload(
    context: WebContext, field: str, types: Mapping[str, bytes | None], wrong_type: str
) -> tuple[str, bytes]:
    """(file name, content); `types` maps an extension to the bytes its files start with (None: text,
    which must hold no NUL byte)."""
    upload = context.upload(field)
    if upload is None:
        raise BadInput(_("Choose a file to upload."))
    name = (upload.filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    limit = context.config.upload_limit
    content = await upload.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(_("The file is too large."))
    if not content:
        raise BadInput(_("The file is empty."))
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in types:
        raise BadInput(wrong_type)
    magic = types[extension]
    if (magic is not None and not content.startswith(magic)) or (magic is None and b"\x00" in content[:4096]):
        raise BadInput(wrong_type)
    return name, content
