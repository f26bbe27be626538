"""Steward's business: entities, rules and services. Imports the standard library only."""
