"""Batch runs: every portfolio of an export (a folder or a zip, e.g. a SharePoint or OneDrive download),
each checked in a worker process, with a summary row per portfolio.

- `discovery`: which entries of the export are portfolios, and each one's output folder name;
- `resume`: the fingerprint of a portfolio's inputs, and whether an earlier run's row can stand for it;
- `checking`: one portfolio checked in a batch worker (read out of a zip export into scratch when needed);
- `running`: shards, settings and the pool of batch workers (`portfolio_check.workers`);
- `rows`: a portfolio's summary row, built from its assessment and stored beside its reports;
- `merge`: the rows of ``batch --shard`` runs gathered into one output;
- `cohort`: warnings across the portfolios (the same ULN twice, a folder whose contents name someone
  else, the same file in two apprentices' portfolios), a pure function of the rows.

Each portfolio's output folder holds its reports and ``batch-row.json``: the summary row and the
fingerprint of its inputs, which ``--resume`` compares and ``merge`` reads.
"""

from __future__ import annotations

from portfolio_check.batch.checking import PortfolioChecker, PortfolioTask, check_source
from portfolio_check.batch.cohort import CohortWarning, cohort_warnings, same_person, warnings_by_folder
from portfolio_check.batch.discovery import (
    TOP_LEVEL_OUTPUTS,
    BatchError,
    Discovery,
    PortfolioSource,
    discover,
    safe_folder_name,
    unique_folder_name,
)
from portfolio_check.batch.merge import Merged, merge_outputs
from portfolio_check.batch.resume import fingerprint, reusable_row, settings_key
from portfolio_check.batch.rows import (
    NOT_CHECKED,
    ROW_FILE,
    EvidenceFile,
    Naming,
    PortfolioRow,
    RowFinding,
    StoredRow,
    error_row,
    portfolio_row,
    read_row,
    row_order,
    store_row,
)
from portfolio_check.batch.running import BatchResult, BatchSettings, in_shard, parse_shard, run_batch

__all__ = [
    "NOT_CHECKED", "ROW_FILE", "TOP_LEVEL_OUTPUTS", "BatchError", "BatchResult", "BatchSettings", "CohortWarning",
    "Discovery", "EvidenceFile", "Merged", "Naming", "PortfolioChecker", "PortfolioRow", "PortfolioSource",
    "PortfolioTask", "RowFinding", "StoredRow", "check_source", "cohort_warnings", "discover", "error_row",
    "fingerprint", "in_shard", "merge_outputs", "parse_shard", "portfolio_row", "read_row", "reusable_row",
    "row_order", "run_batch", "safe_folder_name", "same_person", "settings_key", "store_row", "unique_folder_name",
    "warnings_by_folder",
]
