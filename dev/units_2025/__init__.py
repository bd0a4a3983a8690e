"""The 2025 reform's units and successions, built into the catalog from public packages (README.md here)."""
