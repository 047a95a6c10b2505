"""Segments: the rule language, automatic segmentation and segment profiles (no I/O)."""
