"""The outbox: one row per message and group, queued in the caller's transaction, sent by a worker
that claims due rows, keeps each robot's rate limit across processes and survives restarts.
"""
