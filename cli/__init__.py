"""The `coc` command line: thin click wrappers over functions that return data."""

__version__ = "0.1.0"
