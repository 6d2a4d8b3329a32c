"""Mutation fuzzing of ingest and extraction (see ``fuzz/run.py``)."""
