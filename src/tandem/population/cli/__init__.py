"""Subcommands of `tandem population`, one module each, so each can grow without touching the others.

A subcommand module exposes `NAME`, `HELP`, `add_arguments(parser)` and `run(command, options)`.
"""
