"""Knowledge base and answer engine for Vietnamese party documents (no Telegram here)."""
