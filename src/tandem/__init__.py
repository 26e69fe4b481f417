"""Tandem: care management for programs serving high-need, high-cost patients."""

__version__ = "0.1.0"
