"""Inspection findings: per-unit records (strengths, shortcomings, remedies, discipline), programmes, units and who may read them."""
