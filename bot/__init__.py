"""Telegram front end of the party-documents assistant (python-telegram-bot v22)."""
