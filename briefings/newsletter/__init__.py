"""Eastern Briefings: the curated daily newsletter."""
