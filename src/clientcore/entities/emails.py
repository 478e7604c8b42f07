"""E-mail addresses normalised exactly as ``email_validator.validate_email`` does, faster.

Most of ``validate_email``'s time goes to the part after the ``@`` (a UTS-46 and IDNA
check of every character), and the addresses of an import share few domains. An address
whose local part is plain lower-case ASCII (an RFC 5322 dot-atom of at most 64 characters)
is normalised to itself by the library, whatever its settings, so only the domain needs the
library: it is checked once, by ``validate_email`` on a probe address at that domain, and
its verdict remembered along with the library's settings that decide it. Any other address,
and every address whose domain or length fails, goes through ``validate_email`` itself, so
every error is the library's own.
"""

from __future__ import annotations

import functools
import re

import email_validator
from email_validator import EmailNotValidError, validate_email

_ATEXT_LOWER = r"[a-z0-9!#$%&'*+\-/=?^_`{|}~]"
_PLAIN_LOCAL = re.compile(rf"{_ATEXT_LOWER}+(?:\.{_ATEXT_LOWER}+)*")
"""A local part that the library leaves as it is: no quotes, upper case or other letters
(upper case may be folded: ``Postmaster`` becomes ``postmaster``)."""
_LOCAL_MAX_LENGTH = 64
"""RFC 5321's limit on the local part, which the library applies in strict mode."""
_ADDRESS_MAX_BYTES = 254
"""The library's limit on a whole address, in UTF-8 bytes, in each of its forms."""
_PROBE_LOCAL = "a"


def normalized_email(address: str) -> str:
    """``validate_email(address, check_deliverability=False).normalized``, raising the same
    :class:`~email_validator.EmailNotValidError` for the same addresses."""
    local, at, domain = address.partition("@")
    if at and len(local) <= _LOCAL_MAX_LENGTH and _PLAIN_LOCAL.fullmatch(local):
        checked = _checked_domain(domain, _domain_settings())
        if checked is not None:
            unicode_domain, ascii_domain = checked
            normalized = f"{local}@{unicode_domain}"
            forms = (address, normalized, f"{local}@{ascii_domain}")
            if all(len(form.encode()) <= _ADDRESS_MAX_BYTES for form in forms):
                return normalized
    return str(validate_email(address, check_deliverability=False).normalized)


def _domain_settings() -> tuple[object, ...]:
    """The library's module settings that decide whether a domain is accepted (a host may
    change them, e.g. ``TEST_ENVIRONMENT`` in its tests)."""
    return (
        email_validator.ALLOW_DOMAIN_LITERAL,
        email_validator.GLOBALLY_DELIVERABLE,
        email_validator.TEST_ENVIRONMENT,
        tuple(email_validator.SPECIAL_USE_DOMAIN_NAMES),
    )


@functools.lru_cache(maxsize=4096)
def _checked_domain(domain: str, settings: tuple[object, ...]) -> tuple[str, str] | None:
    """The normalised and the ASCII form of ``domain`` (None: the library refuses it, at
    least with a one-letter local part) under ``settings`` (which only key the cache)."""
    try:
        result = validate_email(f"{_PROBE_LOCAL}@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return None
    return str(result.domain), str(result.ascii_domain)
