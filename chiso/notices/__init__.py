"""Notices by e-mail: each unit told what was refused, what is due and what is late — once.

`kinds` (each kind of message, one module registered: what it is owed, to whom, its subject,
Reply-To, attachments and templates), `contacts` (who), `owed` (what the kinds are owed, to
whom, claimed in the ledger), `compose` (the messages), `delivery` (SMTP or the outbox),
`ledger` (the warehouse's record of what was told), `run` (claim under the writer lock, deliver
without it, record under it again). Imported by
the DAGs at parse time: this package file imports nothing.
"""
