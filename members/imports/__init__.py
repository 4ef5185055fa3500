"""Importing a garden's spreadsheet of target companies: read it, check every row, commit all or nothing.

The flow is upload → preview → commit. The preview lists every row with its problems;
the commit is refused while any row has one (the admin fixes the file and uploads it
again) and then creates every target company in one transaction, or none.

Three rooms, each depending only on the ones before it:

- `reading`: decode CSV/XLSX, map the header to COLUMNS, size limits → ParsedFile
- `checking`: RowChecker, parse_date, problems stored as msgids, describe_problem
- `writing`: the verbs (import_batch_upload / preview / commit / commit_start / cancel),
  progress, and the template file

Views, tasks and tests use the names below; they are the package's public face.
"""

from .checking import check_rows, describe_problem, parse_date, parse_number, problem_count
from .reading import (
    COLUMN_BY_FIELD,
    COLUMNS,
    ImportFileError,
    ParsedFile,
    field_label,
    max_bytes,
    max_rows,
    parse_upload,
)
from .writing import (
    SYNC_LIMIT,
    import_batch_cancel,
    import_batch_commit,
    import_batch_commit_start,
    import_batch_preview,
    import_batch_upload,
    progress_phase,
    template_rows,
)

__all__ = [
    "COLUMNS",
    "COLUMN_BY_FIELD",
    "SYNC_LIMIT",
    "ImportFileError",
    "ParsedFile",
    "check_rows",
    "field_label",
    "max_bytes",
    "max_rows",
    "parse_number",
    "describe_problem",
    "import_batch_cancel",
    "import_batch_commit",
    "import_batch_commit_start",
    "import_batch_preview",
    "import_batch_upload",
    "parse_date",
    "parse_upload",
    "problem_count",
    "progress_phase",
    "template_rows",
]
