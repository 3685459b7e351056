"""Search: query understanding (query), the lexical legs (lexical, diacritics) and hybrid fusion with the dense leg (retrieval)."""
