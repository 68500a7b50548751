"""The dialog and its transports (terminal now; Telegram next), plus the `kasip` command."""
