"""Progress bars for long commands (imports, bulk renders)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bar(total: int, description: str) -> Iterator[Callable[[int], None]]:
    """Yield a function to call with the number of items done since the last call.

    The bar goes to standard error, so the command's output stays parseable.
    """
    with tqdm(
        total=total, desc=description, unit="", file=sys.stderr, leave=True
    ) as bar:
        yield bar.update
