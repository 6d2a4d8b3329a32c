"""The built-in KSB catalogues (data files), installed with portfolio_check."""
