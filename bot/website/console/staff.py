"""Manage staff console accounts on the server: `python -m bot.website.console.staff COMMAND`.

    add NAME [--admin] [--generate]   a new account; asks for its password twice, or makes one
    disable NAME                      no more sign-ins; its open sessions end at their next request
    enable NAME                       may sign in again
    reset NAME [--generate]           a new password; its open sessions end
    list                              every account, without passwords

Accounts are managed here rather than in the console, so that a stolen console session cannot
make itself an account. The configured database is used (DATABASE_URL, else SQLite under var/).
Every change is in the audit log, done by "cli:<your login name>". A password is never stored,
logged or passed on the command line; a generated one is printed once.

Exit status: 0 done; 1 refused (no such account, name taken or not allowed, password too short
or the two differ); 2 could not run (wrong usage, database unavailable or not migrated).
"""
from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from typing import Callable, List, Optional

from bot.store import StorageUnavailable, Store
from bot.store.staff import AccountExists, AccountNotFound, valid_username
from bot.website.console import audit
from bot.website.console.passwords import hash_password, read_new_password

# 18 random bytes: 24 URL-safe characters, comfortably above the minimum length.
GENERATED_BYTES = 18
Ask = Callable[[str], str]


class Refused(Exception):
    """The command cannot do what was asked; the message is the one line shown."""


def actor() -> str:
    """Who the audit log says made a change: the operating-system login running the command."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return f"cli:{name}"[:100]


def new_password(generate: bool, ask: Ask) -> str:
    """A random password, or one typed twice (not echoed) of at least the minimum length."""
    if generate:
        return secrets.token_urlsafe(GENERATED_BYTES)
    try:
        return read_new_password(ask)
    except ValueError as exc:
        raise Refused(str(exc)) from None


def _name(raw: str) -> str:
    try:
        return valid_username(raw)
    except ValueError as exc:
        raise Refused(f"{raw!r} cannot be a username: {exc}") from None


def _show_password(name: str, password: str) -> None:
    print(f"Password for {name} (shown once, not stored anywhere): {password}")


def run(args: argparse.Namespace, store: Store, ask: Optional[Ask] = None) -> int:
    """Carry out one parsed command on `store` (passwords read with `ask`, getpass by default);
    raises Refused or StorageUnavailable."""
    ask = ask or getpass.getpass
    who = actor()
    if args.command == "list":
        for a in store.staff.list():
            role = "admin" if a.is_admin else "staff"
            state = "disabled" if a.disabled else "active"
            print(f"{a.username}\t{role}\t{state}\tcreated {a.created_at:%Y-%m-%d %H:%M} UTC"
                  f"\tpassword changed {a.password_changed_at:%Y-%m-%d %H:%M} UTC")
        return 0
    name = _name(args.name)
    if args.command == "add":
        if store.staff.get(name) is not None:
            raise Refused(f"an account named {name} exists already")
        password = new_password(args.generate, ask)
        try:
            store.staff.add(name, hash_password(password), is_admin=args.admin)
        except AccountExists:
            raise Refused(f"an account named {name} exists already (names differing in case count as one)") from None
        store.audit.record(who, audit.ACCOUNT_ADD_ADMIN if args.admin else audit.ACCOUNT_ADD, None, name)
        print(f"Added {name}{' (administrator)' if args.admin else ''}.")
        if args.generate:
            _show_password(name, password)
    elif args.command == "reset":
        if store.staff.get(name) is None:
            raise Refused(f"there is no account named {name}")
        password = new_password(args.generate, ask)
        try:
            store.staff.set_password(name, hash_password(password))
        except AccountNotFound:
            raise Refused(f"there is no account named {name}") from None
        store.audit.record(who, audit.ACCOUNT_RESET, None, name)
        print(f"New password set for {name}; their open sessions end.")
        if args.generate:
            _show_password(name, password)
    else:
        disabled = args.command == "disable"
        try:
            store.staff.set_disabled(name, disabled)
        except AccountNotFound:
            raise Refused(f"there is no account named {name}") from None
        store.audit.record(who, audit.ACCOUNT_DISABLE if disabled else audit.ACCOUNT_ENABLE, None, name)
        print(f"{'Disabled' if disabled else 'Enabled'} {name}.")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot.website.console.staff", description=__doc__.splitlines()[0])
    commands = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add = commands.add_parser("add", help="add an account")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="may read the audit log and the accounts")
    add.add_argument("--generate", action="store_true", help="make a random password and print it once")
    reset = commands.add_parser("reset", help="set a new password")
    reset.add_argument("name")
    reset.add_argument("--generate", action="store_true", help="make a random password and print it once")
    for name, text in (("disable", "stop an account signing in"), ("enable", "let an account sign in again")):
        commands.add_parser(name, help=text).add_argument("name")
    commands.add_parser("list", help="list the accounts")
    return p


def main(argv: Optional[List[str]] = None, store: Optional[Store] = None) -> int:
    """Parse, run, and turn every failure into one line on stderr and an exit status."""
    args = parser().parse_args(argv)  # exits with status 2 on wrong usage
    own = store is None
    current = Store.from_settings() if store is None else store
    try:
        return run(args, current)
    except Refused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except StorageUnavailable:
        print("error: the database is unavailable or not migrated (python -m bot.store.db upgrade)", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, EOFError):
        print("error: cancelled", file=sys.stderr)
        return 1
    finally:
        if own:
            current.dispose()


if __name__ == "__main__":
    sys.exit(main())
