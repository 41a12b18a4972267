"""Run the command line as ``python -m generator``."""

from statusbook.cli import main

if __name__ == "__main__":
    main()
