"""Development launchers, not shipped: `make run`, `make airflow` (`dev.embedded`), `make portal` (`dev.portal_demo`).

They start the whole product on one machine with embedded defaults (SQLite metadata, a
project-local AIRFLOW_HOME, demo accounts); a deployment starts the same components as
docs/deployment.md says.
"""
