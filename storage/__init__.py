"""SQLAlchemy 2.x implementation of the domain's ports, and the Alembic migrations."""
