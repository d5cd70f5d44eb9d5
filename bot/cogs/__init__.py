"""Thin cogs: check input, call ``index`` through ``answering``, render, reply."""
