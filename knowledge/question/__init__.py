"""The question read once: its frame, words, synonyms, follow-ups and options."""
