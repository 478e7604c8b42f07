"""Revision files (Alembic loads them by path; this file only makes them a package)."""
