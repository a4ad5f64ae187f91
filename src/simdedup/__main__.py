"""``python -m simdedup``: the command line."""

from simdedup.cli import main

main(prog_name="simdedup")
