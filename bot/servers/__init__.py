"""What quotebot keeps per Discord server, and which process serves which server.

``folders`` lays out one folder per server (documents, settings, later
other per-server data), ``settings`` holds what a server's managers set,
``sharding`` says which servers this process serves, ``retention`` keeps the
files of servers the bot left for a while, and ``shared_corpus`` keeps every
process's shared corpus current.
"""
