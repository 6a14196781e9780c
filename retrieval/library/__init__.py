"""Many corpora served by one process: a shared one, and named ones loaded when first needed.

Front ends that serve several communities (the Discord bot, one corpus per
server) keep one ``CorpusLibrary``. It knows corpora only by opaque names and
the folders they map to, never what a name stands for; the front end decides
who may change which. ``combine`` decides which of two corpora's answers to
give; ``change_signal`` tells other processes serving the same files that a
corpus changed.
"""
