"""``python -m benchmarks run [--quick] [--postgres URL]``: every benchmark, one table, BENCHMARKS.md."""

import sys

from benchmarks.runner import main

sys.exit(main())
