"""Same-story coverage across papers, and related stories."""
