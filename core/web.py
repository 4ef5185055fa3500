"""Small helpers shared by every app's views and models."""

import uuid
from pathlib import PurePath

from django.contrib import messages
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest


def form_errors_to_messages(request: HttpRequest, form) -> None:
    """Show a small form's errors as messages (for forms posted from a page that redirects back)."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def private_upload_path(folder: str, owner_id: int | None, filename: str) -> str:
    """`folder/<owner>/<random>.<ext>`: uploaded files never keep a guessable or personal name."""
    return f"{folder}/{owner_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:10]}"


def file_download(file: FieldFile, name: str) -> FileResponse:
    """A stored file as an attachment called `name` + its own extension; 404 if absent or gone from disk."""
    if not file:
        raise Http404("No file.")
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is gone.") from None
    return FileResponse(handle, as_attachment=True, filename=f"{name}{PurePath(file.name).suffix.lower()}")


def focus_first_error(form) -> None:
    """Give the first field with an error `autofocus`, so the page opens on it even without JavaScript.

    Used when a page is shown again with a bound form that failed (see static/js/form-errors.js,
    which also opens the panel around it and scrolls it into view).
    """
    for name in form.errors:
        if name in form.fields and not form.fields[name].widget.is_hidden:
            form.fields[name].widget.attrs["autofocus"] = True
            return


# Control characters other than tab and line breaks never belong in a search or a name; PostgreSQL
# refuses NUL in text outright, so a raw query string must be cleaned before it reaches a query.
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))
_CONTROL[127] = None


def query_text(request: HttpRequest, name: str, max_length: int = 100) -> str:
    """A text parameter from the query string, stripped of control characters (NUL too) and cut to length."""
    return request.GET.get(name, "").translate(_CONTROL).strip()[:max_length]


def bounded_int(value, *, low: int, high: int) -> int | None:
    """`value` as an int if it is one within [low, high], else None (never an overflow in the database)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None
