"""Rexian (热线): a platform for 12345 government service hotlines and 311 centres."""

__version__ = "0.1.0"
