"""Sourced's Discord side: a thin layer over ``index``."""
