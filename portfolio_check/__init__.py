"""portfolio-check: is an apprentice's portfolio of evidence ready for Gateway, and if not, why not."""

__version__ = "0.1.0"
