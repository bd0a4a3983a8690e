"""`chiso accounts`: the portal's accounts (add, API token, disable, list), in CHISO_ACCOUNTS."""

from __future__ import annotations

import sys
from argparse import Namespace

from chiso.commands import UserError
from chiso.portal.accounts import AccountError, Accounts, catalog_unit
from chiso.portal.security import MIN_PASSWORD_CHARS
from core.catalog import Catalog
from core.settings import Settings, load_settings

LOCAL_PORTAL = "http://127.0.0.1:8000"


def run(args: Namespace) -> int:
    settings = load_settings()
    accounts = Accounts(settings.accounts)
    try:
        return ACTIONS[args.action](args, settings, accounts)
    except AccountError as error:
        raise UserError(str(error)) from None


def _add(args: Namespace, settings: Settings, accounts: Accounts) -> int:
    units = Catalog(settings.catalog_dir).units
    code = catalog_unit(units, args.unit)
    if code is None:
        raise UserError(f"unknown unit {args.unit!r}: the catalog has {', '.join(units)}")
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    if password is not None and len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    account = accounts.add(args.email, code, args.role, args.name)
    print(f"added {account.email}: {account.role} account of unit {code} ({units[code]['unit_name']})")
    if password is not None:
        accounts.set_password(account.account_id, password)
        print("password set from standard input")
    else:
        address = (settings.portal_url or LOCAL_PORTAL).rstrip("/")
        link = f"{address}/set-password/{accounts.password_link(account.account_id)}"
        print(f"send this one-time link to {account.email} to set the password (valid 72 hours):\n{link}")
    return 0


def _token(args: Namespace, settings: Settings, accounts: Accounts) -> int:
    account = accounts.existing(args.email)
    if accounts.by_email(args.email) is None:
        raise UserError(f"{account.email} is disabled")
    print(accounts.new_api_token(account.account_id))
    print(
        f"API token of {account.email} (unit {account.unit_code}), shown once: send it as"
        " `Authorization: Bearer <token>`",
        file=sys.stderr,
    )
    return 0


def _disable(args: Namespace, settings: Settings, accounts: Accounts) -> int:
    account = accounts.disable(args.email)
    print(f"disabled {account.email}: its sessions and API tokens no longer work")
    return 0


def _list(args: Namespace, settings: Settings, accounts: Accounts) -> int:
    for account, disabled_at in accounts.listing():
        state = f"disabled {disabled_at}" if disabled_at else "enabled"
        print(f"{account.unit_code:<8} {account.role:<8} {account.email:<40} {state}")
    return 0


ACTIONS = {"add": _add, "token": _token, "disable": _disable, "list": _list}
