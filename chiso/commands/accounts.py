"""`chiso accounts`: the portal's accounts in CHISO_ACCOUNTS — add, reset, enable, disable, move, list, API tokens."""

from __future__ import annotations

import sys
from argparse import Namespace

from chiso.commands import UserError
from core.catalog import Catalog
from core.kinds import ACCOUNT_ROLES
from core.settings import Settings, load_settings
from core.vocabulary import say
from portal.accounts import LINK_HOURS, OWN_ROLES, AccountError, AccountExists, Accounts, catalog_unit
from portal.security import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, password_problem

LOCAL_PORTAL = "http://127.0.0.1:8000"


def run(args: Namespace) -> int:
    settings = load_settings()
    accounts = Accounts(settings.accounts)
    try:
        return ACTIONS[args.action](args, settings, accounts)
    except AccountExists as error:
        email = args.email.strip().lower()
        print(
            f"chiso: error: {error}. To let its owner choose a new password: chiso accounts reset --email {email};"
            f" if it is disabled: chiso accounts enable --email {email} (see chiso accounts list)",
            file=sys.stderr,
        )
        return 1
    except AccountError as error:
        raise UserError(str(error)) from None


def _link(settings: Settings, token: str) -> str:
    return f"{(settings.portal_url or LOCAL_PORTAL).rstrip('/')}/set-password/{token}"


def _add(args: Namespace, settings: Settings, accounts: Accounts) -> int:
    units = Catalog(settings.catalog_dir).units
    code = catalog_unit(units, args.unit)
    if code is None:
        raise UserError(f"unknown unit {args.unit!r}: the catalog has {', '.join(units)}")
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    if password is not None:
        problem = password_problem(password, args.email)
        if problem:
            raise UserError(
                say(problem, min_chars=MIN_PASSWORD_CHARS, max_chars=MAX_PASSWORD_CHARS).en.lower().rstrip(".")
            )
    role = next(kind.code for kind in ACCOUNT_ROLES.members if args.role in (kind.code, kind.called))
    granted = None if role in OWN_ROLES else role
    existing = accounts.by_email(args.email, enabled_only=False)
    if granted and existing is not None:
        if existing.unit_code != code:
            raise UserError(f"{existing.email} is an account of unit {existing.unit_code}: its roles act on that unit")
        accounts.grant(existing.email, granted)
        print(f"{existing.email} (unit {code}) is also its {granted} now")
        return 0
    account = accounts.add(args.email, code, "unit" if granted else role, args.name)
    if granted:
        accounts.grant(account.email, granted)
    roles = f"{account.role} and {granted}" if granted else account.role
    print(f"added {account.email}: {roles} account of unit {code} ({units[code]['unit_name']})")
    if password is not None:
        accounts.set_password(account.account_id, password)
        print("password set from standard input")
    else:
        link = _link(settings, accounts.password_link(account.account_id))
        print(f"send this one-time link to {account.email} to set the password (valid {LINK_HOURS} hours):\n{link}")
    return 0


def _reset(args: Namespace, settings: Settings, accounts: Accounts) -> int:
    account, token = accounts.reset(args.email)
    print(
        f"send this one-time link to {account.email} to choose a new password (valid {LINK_HOURS} hours;"
        f" the current password works until then, earlier links no longer do):\n{_link(settings, token)}"
    )
    return 0


def _token(args: Namespace, settings: Settings, accounts: Accounts) -> int:
    if args.token_action == "list":
        return _token_list(args, accounts)
    if args.token_action == "revoke":
        return _token_revoke(args, accounts)
    if not args.email:
        raise UserError("a new token needs --email ADDRESS")
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


def _token_list(args: Namespace, accounts: Accounts) -> int:
    if args.email:
        accounts.existing(args.email)
    for token_id, account, created_at in accounts.api_tokens(args.email):
        print(f"{token_id}  {account.unit_code:<8} {account.email:<40} created {created_at}")
    return 0


def _token_revoke(args: Namespace, accounts: Accounts) -> int:
    if bool(args.id) == bool(args.email):
        raise UserError("revoke one token with --id ID (from `chiso accounts token list`), or all of --email ADDRESS")
    count = accounts.revoke_tokens(token_id=args.id, email=args.email)
    if args.id and not count:
        raise UserError(f"no API token {args.id} (see chiso accounts token list)")
    print(f"revoked {count} API token(s) of {args.email or 'id ' + args.id}: from now on the API answers them 401")
    return 0


def _disable(args: Namespace, settings: Settings, accounts: Accounts) -> int:
    account = accounts.disable(args.email)
    print(f"disabled {account.email}: its sessions and API tokens no longer work")
    return 0


def _enable(args: Namespace, settings: Settings, accounts: Accounts) -> int:
    account = accounts.enable(args.email)
    print(
        f"enabled {account.email}: its password and its API tokens (those not revoked) work again;"
        f" a new password: chiso accounts reset --email {account.email}"
    )
    return 0


def successors_of(catalog: Catalog, unit_code: str) -> list[str]:
    """Every unit that succeeded `unit_code` (catalog/unit_successions.csv), directly or through later
    successions (STNMT -> SNNMT -> SNNMT-TQ), nearest first."""
    found: list[str] = []
    step = [unit_code]
    while step:
        later = [row["to_code"] for code in step for row in catalog.successors(code) if row["to_code"]]
        step = [code for code in dict.fromkeys(later) if code not in found and code != unit_code]
        found += step
    return found


def _move(args: Namespace, settings: Settings, accounts: Accounts) -> int:
    catalog = Catalog(settings.catalog_dir)
    code = catalog_unit(catalog.units, args.to)
    if code is None:
        raise UserError(f"unknown unit {args.to!r}: see catalog/units.csv")
    account = accounts.existing(args.email)
    successors = successors_of(catalog, account.unit_code)
    if code not in successors and not args.force:
        named = ", ".join(successors) if successors else "none (catalog/unit_successions.csv)"
        raise UserError(
            f"{code} is not a successor of {account.unit_code}, the unit of {account.email} (its successors: {named});"
            " --force moves it all the same"
        )
    moved, left = accounts.move(args.email, code, forced=code not in successors)
    print(
        f"moved {moved.email} from unit {left} to unit {code} ({catalog.units[code]['unit_name']})"
        + ("" if code in successors else ", forced: not a successor")
        + f"; it now sees and sends {code}'s reports (recorded in account_moves)"
    )
    return 0


def _list(args: Namespace, settings: Settings, accounts: Accounts) -> int:
    for account, disabled_at in accounts.listing():
        state = f"disabled {disabled_at}" if disabled_at else "enabled"
        print(f"{account.unit_code:<8} {account.role:<8} {account.email:<40} {state}")
    return 0


ACTIONS = {
    "add": _add,
    "reset": _reset,
    "token": _token,
    "disable": _disable,
    "enable": _enable,
    "move": _move,
    "list": _list,
}
