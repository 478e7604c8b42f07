"""The MongoDB adapter: pymongo, a private cattrs converter, transactions where offered.

>>> from clientcore.adapters.mongo import MongoBackend
"""

from clientcore.adapters.mongo.uow import MongoBackend, MongoUnitOfWork, offers_transactions

__all__ = ["MongoBackend", "MongoUnitOfWork", "offers_transactions"]
