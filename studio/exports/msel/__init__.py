"""MSEL spreadsheets: export to .xlsx/.csv and import back (see export.py and importer.py)."""

from studio.exports.msel.export import msel_csv, msel_outputs, msel_xlsx
from studio.exports.msel.importer import (
    ImportIssue,
    MselImport,
    MselReadError,
    import_msel,
    merge_injects,
    parse_relative_time,
)

__all__ = [
    "ImportIssue",
    "MselImport",
    "MselReadError",
    "import_msel",
    "merge_injects",
    "msel_csv",
    "msel_outputs",
    "msel_xlsx",
    "parse_relative_time",
]
