"""NKZ 2017 knowledge: the classifier tree, names, skill levels, and matching. No Telegram, no SQL."""
