"""Discord front ends and the command line of quotebot; no retrieval logic lives here."""
