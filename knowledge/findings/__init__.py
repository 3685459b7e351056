"""Inspection findings: per-unit records, programmes, units and who may read them."""
