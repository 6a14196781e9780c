"""What quotebot keeps per Discord server, and which process serves which server.

``folders`` lays out one folder per server (documents, settings, and any
per-server data added later), ``settings`` and ``settings_store`` hold what
a server's managers set, ``targets`` is the corpus a ``/corpus`` command acts
on (the server's own, or the owner's shared one), ``sharding`` says which
servers this process serves, ``retention`` keeps the files of servers the bot
left for a while, and ``shared_corpus`` keeps every process's shared corpus
current.
"""
