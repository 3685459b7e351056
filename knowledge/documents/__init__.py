"""Documents: file bytes → normalised text (loaders/) → paragraphs and headings (reflow) →
metadata (codes, metadata, units) → structure-aware passages (splitter)."""
