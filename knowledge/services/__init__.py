"""Services the entry points use: answering, ingestion, the front-end protocol and their composition."""
