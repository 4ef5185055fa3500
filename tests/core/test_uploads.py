"""The shared upload check (core/uploads.py): type by name and by content, and size."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import validate_upload

RULES = {"extensions": {".pdf", ".docx", ".txt"}, "max_bytes": 1000, "type_message": "type", "size_message": "size"}


@pytest.mark.parametrize(("name", "content"), [
    ("kontrakt.pdf", b"%PDF-1.7\n..."), ("avtale.docx", b"PK\x03\x04rest"), ("notat.txt", "Æ ø å".encode()),
])
def test_documents_of_the_allowed_kinds_pass(name, content):
    validate_upload(SimpleUploadedFile(name, content), **RULES)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("program.exe", b"MZ...", "type"),
    ("side.html", b"<script>alert(1)</script>", "type"),
    ("falsk.pdf", b"<html><script>alert(1)</script>", "content"),
    ("binær.txt", b"abc\x00def", "content"),
    ("stor.pdf", b"%PDF-" + b"x" * 2000, "size"),
])
def test_wrong_type_content_or_size_is_refused(name, content, message):
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile(name, content), **RULES)

    text = " ".join(error.value.messages)
    assert (message in text) if message != "content" else ("does not match" in text or "samsvarer" in text)
