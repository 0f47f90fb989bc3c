"""Policies: one module per council's code, each rule citing its section (STYLE §3)."""
