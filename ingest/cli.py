"""Command line entry point: `scorecard`."""
def main() -> int:
    return 0
