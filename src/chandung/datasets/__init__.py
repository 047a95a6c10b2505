"""Bundled data sets: generators of realistic demo and test data."""
