"""Registers: records, the organisation, configuration and git; no policy rules and no printing."""
