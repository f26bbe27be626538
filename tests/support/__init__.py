"""Helpers shared by test packages (database fixtures' plumbing, statement counting)."""
