"""Duplicate scans: the stored profile's blocking keys and fingerprints as 64-bit words.

Revision ID: clientcore_0011
Revises: clientcore_0010
Create Date: 2026-12-08

``clients.profile`` is rewritten in the form ``profile_text`` now makes: the id, birthday,
flags, fingerprints and blocking keys' hashes as hexadecimal 64-bit words, then the names,
then the rest as JSON (``stored_profiles.fill``), so that a scan reads its blocks and bounds
from one ``bytes.fromhex`` per page instead of decoding every value. Downgrading leaves the
column as it is: a version of clientcore from before this revision cannot read it, so go
back to such a version by downgrading to ``clientcore_0008`` (which drops the column) and
upgrading with that version.
"""

from __future__ import annotations

from collections.abc import Sequence

from clientcore.adapters.sql.migrations import stored_profiles

revision: str = "clientcore_0011"
down_revision: str | None = "clientcore_0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    stored_profiles.fill()


def downgrade() -> None:
    """Nothing: the column keeps the form this version writes (see above)."""
