"""The store: chunks and the document catalogue in Chroma (chroma), and the records it writes (records)."""
