from __future__ import annotations

import pytest

from core.settings import load_settings
from letters import PORTAL


@pytest.fixture
def told(tmp_path, mail_server):
    """Settings whose notices go to the test's SMTP server, with the portal's link."""
    return load_settings(home=tmp_path / "home", smtp_url=mail_server.url, portal_url=PORTAL)
