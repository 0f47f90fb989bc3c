"""The `coc` command line: thin click wrappers over functions that return data."""

from coc.registers.version import __version__

__all__ = ["__version__"]
