"""Ingest: turn a source's bytes into clean canonical rows and rejects (no writes to stores)."""
