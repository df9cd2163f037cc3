"""Deferred work: the TaskQueue port and its Cloud Tasks adapter."""
