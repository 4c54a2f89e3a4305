"""``python -m collapse_kit``: the ``collapse-kit`` command, for environments whose scripts folder is not on PATH."""

from .faces.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
