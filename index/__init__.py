"""Sourced's indexer: corpus files -> passages with cited outlets -> BM25 index in SQLite.

This package never imports ``discord``; the bot is a thin layer over it.
"""
