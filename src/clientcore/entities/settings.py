"""Per-tenant settings: how phone numbers without a country code and local times are read."""

from __future__ import annotations

import attrs


@attrs.frozen
class TenantSettings:
    default_region: str | None = None
    """ISO 3166-1 alpha-2 region used to read national phone numbers, e.g. "PL"."""
    time_zone: str = "UTC"
    """IANA zone of the tenant's wall-clock times, e.g. "Europe/Warsaw"."""
