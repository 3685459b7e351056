"""The evaluation harness behind ``python -m knowledge.eval`` (harness)."""
