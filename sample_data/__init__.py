"""Bundled sample help-desk data set (see README.md); rebuild with ``python sample_data/build.py``."""
