"""The editorial store: articles under review in SQLite or PostgreSQL (SQLAlchemy 2 + Alembic)."""
