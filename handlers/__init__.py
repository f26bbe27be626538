"""Command lines in, platform-neutral Replies out."""
