"""Builds the sample portfolios: writers for each file format and the content of each sample."""
