"""``python -m simdedup``: the command line."""

from simdedup.cli.main import main

main(prog_name="simdedup")
