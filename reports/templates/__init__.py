"""Jinja2 templates for the reports, installed with portfolio_check."""
