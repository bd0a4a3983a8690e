"""The reporting units' portal: check a file before sending it, send it, see every verdict and what is due.

`chiso serve` runs it (FastAPI under uvicorn, pages rendered on the server with Jinja2).
It reads the analysts' read-only snapshot and its own SQLite file of accounts and sends;
it never writes the warehouse: a sent file lands in the inbox, and the loader does the rest.
"""
