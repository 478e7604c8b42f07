"""The public API in parts (``core.clients``, ``core.visits``, ...), each a small class
over one runner (:mod:`clientcore.api.runner`); events for hosts in :mod:`.events`."""
