"""The extraction side of paperkg: spaCy components, regex extractors, knowledge-base data."""
