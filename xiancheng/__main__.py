"""``python -m xiancheng`` runs the command line."""

from .cli import main

main()
