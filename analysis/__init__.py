"""keepdata's analysis: files in, facts and findings out. Knows nothing of any UI."""

__version__ = "0.1.0"
