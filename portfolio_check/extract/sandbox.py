"""The extract stage's sandbox: every file is read in a worker of the project's one process pool
(`portfolio_check.workers`), bounded in time and memory, with tasks grouped by the reader library
they need. The names are re-exported here for the modules that reach the pool through the extract
stage (the extract runner, the fuzzing harness).
"""

from __future__ import annotations

from portfolio_check.workers import Budget, IsolatedRunner, Overrun, limit_memory

__all__ = ["Budget", "IsolatedRunner", "Overrun", "limit_memory"]
