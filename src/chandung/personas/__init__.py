"""Personas: data-driven portraits of customer segments, with the evidence behind every line."""
