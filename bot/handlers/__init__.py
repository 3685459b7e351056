"""Handlers, one module per conversation area; the handler table lives in ``bot.app``."""
