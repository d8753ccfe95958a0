#!/usr/bin/env python
"""Django's manage.py, kept for habit; `puente` is the same command."""

from puente.cli import main

if __name__ == "__main__":
    main()
