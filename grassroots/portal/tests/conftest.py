from grassroots.bulletins.tests.conftest import (  # noqa: F401 - shared fixtures
    committed,
    empty_cache,
    people,
    recorder,
)
