"""What the assistant remembers outside the document store (feedback votes)."""
