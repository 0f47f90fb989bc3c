"""The toolkit's version, at the bottom layer: `coc --version` prints it, and the caches below
the command line (validate's, audit's) key on it, without importing the CLI."""

__version__ = "0.1.0"
