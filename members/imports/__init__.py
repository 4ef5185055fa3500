"""Importing a garden's spreadsheet of target companies: read it, check every row, commit all or nothing.

The flow is upload → columns → preview → commit. After upload the admin sees each column
with the field it will fill (guessed, or from a mapping the garden saved for these headers)
and may change it; the preview lists every row with its problems. The commit creates the
target companies in one transaction, or none: every row, or (if the admin chooses) only the
ready ones, the rows with problems downloadable as a file to fix and upload again.

The rows live in their own table (ImportRow), never in memory as a whole: the file is read into
it as a stream, checked a chunk at a time (a fixed number of queries per chunk), shown a page at
a time, and committed a chunk at a time inside the one transaction.

Three rooms, each depending only on the ones before it:

- `reading`: decode CSV/XLSX, map the header to COLUMNS, size limits → ParsedFile
- `checking`: RowChecker, check_stored_rows (the streamed pass over ImportRow), parse_date, problems
  stored as msgids, describe_problem
- `writing`: the verbs (import_batch_upload / map / preview / commit / commit_start / cancel /
  restart), progress, and the template file
- `problem_file`: the rows with problems as a file in the upload's format

Views, tasks and tests use the names below; they are the package's public face.
"""

from .checking import check_rows, describe_problem, parse_date, parse_number, problem_count
from .problem_file import problem_rows_file
from .reading import (
    COLUMN_BY_FIELD,
    COLUMNS,
    FIELDS,
    ImportFileError,
    ParsedFile,
    field_label,
    header_signature,
    max_bytes,
    max_rows,
    parse_upload,
)
from .writing import (
    SYNC_LIMIT,
    import_batch_cancel,
    import_batch_commit,
    import_batch_commit_start,
    import_batch_is_stale,
    import_batch_map,
    import_batch_preview,
    import_batch_restart,
    import_batch_upload,
    mapping_errors,
    progress_phase,
    template_rows,
)

__all__ = [
    "COLUMNS",
    "COLUMN_BY_FIELD",
    "FIELDS",
    "SYNC_LIMIT",
    "ImportFileError",
    "ParsedFile",
    "check_rows",
    "field_label",
    "header_signature",
    "import_batch_is_stale",
    "import_batch_map",
    "import_batch_restart",
    "mapping_errors",
    "problem_rows_file",
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
