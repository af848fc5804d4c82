"""``python3 -m nn.cli``: the ``dualgrad`` command, where the console script is not on PATH."""

from .parser import main

raise SystemExit(main())
