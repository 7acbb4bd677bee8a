"""The one conftest: fixtures live in tests/support/fixtures, helpers in tests/support."""
pytest_plugins = [
    "tests.support.fixtures.storage",
    "tests.support.fixtures.channels",
    "tests.support.fixtures.console",
    "tests.support.fixtures.browser",
    "tests.support.fixtures.stack",
    "tests.support.fixtures.content",
    "tests.support.fixtures.on_call",
]
