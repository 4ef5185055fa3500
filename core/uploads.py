"""One check for uploaded documents (contracts, agreement documents, project reports): type and size.

The name's extension must be an allowed one, the file no larger than the limit, and the first
bytes must be what that kind of file starts with, so a renamed program or HTML page is refused.
Files are stored under random names and served only through views that check access
(core/web.py: file_download), never from MEDIA_URL.
"""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ZIP = (b"PK\x03\x04",)  # .docx, .xlsx, .odt are zip containers
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # legacy .doc / .xls
SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    ".pdf": (b"%PDF",),
    ".docx": ZIP, ".xlsx": ZIP, ".odt": ZIP, ".ods": ZIP,
    ".doc": OLE, ".xls": OLE,
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
    ".txt": None,  # text: checked for NUL bytes instead
    ".csv": None,
}
MISMATCH = _("The file's content does not match its type (%(extension)s). Upload the document itself.")


def validate_upload(upload, *, extensions: set[str], max_bytes: int, type_message, size_message) -> None:
    """Raise ValidationError unless `upload` has an allowed extension, fits `max_bytes` and starts as its kind."""
    if upload is None or upload is False:
        return
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in extensions or extension not in SIGNATURES:
        raise ValidationError(type_message)
    if upload.size > max_bytes:
        raise ValidationError(size_message)
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(position)
    signatures = SIGNATURES[extension]
    if signatures is None:
        looks_right = b"\x00" not in head
    else:
        looks_right = head.startswith(signatures)
    if not looks_right:
        raise ValidationError(MISMATCH, params={"extension": extension})
